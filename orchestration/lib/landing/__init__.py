"""Loading folders of a source into the raw schema, one way for every source: the raw-table
registry (tables.py), what is read and written in a source's tables (store.py) and the loop over
its folders (loader.py)."""
