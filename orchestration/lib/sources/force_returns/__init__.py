"""Reading force returns: manifest, readers, canonical cells, raw store and ingestion."""
