"""The BioImage Model Zoo model card template, described once and used by every command."""

from bmzcard.template.model import Field, Requirement, Section, SectionKind, Template
from bmzcard.template.bioimageio import TEMPLATE

__all__ = ["Field", "Requirement", "Section", "SectionKind", "Template", "TEMPLATE"]
