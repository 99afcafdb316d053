"""Text augmentation generators (Data-Juicer's nlpaug_en_mapper, nlpcda_zh_mapper): one row in,
the original and its augmented copies out, made by the nlpaug / nlpcda libraries."""
