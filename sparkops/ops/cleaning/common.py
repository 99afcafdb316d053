"""What the cleaning mappers share."""

FAMILY = "cleaning"
