"""Decontamination: removing benchmark (evaluation task) text from training data (``task_decontamination_mapper``)."""
