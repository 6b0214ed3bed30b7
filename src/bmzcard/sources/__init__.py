"""Sources of facts: the package (folder, file or zip), its RDF, an existing README."""
