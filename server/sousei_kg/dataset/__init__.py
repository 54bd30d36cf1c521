"""The dataset as files and as a loaded graph: where the shipped files are, which named graph each
fills, the opened knowledge graph and its SHACL validation."""
