"""A corpus of crafted bad force returns (see corpus.py)."""
