"""Workflows that take a finished card where the model goes: the Hugging Face Hub, the zoo's zip."""
