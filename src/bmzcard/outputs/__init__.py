"""Outputs: files written safely, the provenance sidecar."""
