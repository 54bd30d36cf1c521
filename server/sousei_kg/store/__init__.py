"""The pyoxigraph store on disk: its directory, manifest and locks, queries and graph edits,
canonical hashing, snapshots for readers and backups."""
