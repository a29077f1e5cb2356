"""The topic lifecycle staff drive: status, merge, split, fixed-in; "already reported?"; votes."""
