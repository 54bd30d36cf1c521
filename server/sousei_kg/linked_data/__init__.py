"""Reading resources out of the graph: descriptions, the vocabulary, label search, the logic
model."""
