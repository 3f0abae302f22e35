"""pip's releases: their sources, where each entry's error is raised, and what they print."""
