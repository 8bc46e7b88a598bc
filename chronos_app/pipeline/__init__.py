"""Video processing: sources, transcripts, chunks, embeddings, chapters."""
