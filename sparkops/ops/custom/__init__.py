"""User code as operators: Data-Juicer's python_lambda_mapper and python_file_mapper."""
