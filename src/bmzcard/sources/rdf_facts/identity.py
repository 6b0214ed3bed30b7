"""Identity and people: title, authors, who shares it, model type, license, sources, task and tags."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from bmzcard.facts import Fact, FactSet, Provenance, from_rdf, md_code, md_text
from bmzcard.sources.package import Package
from bmzcard.sources.rdf_facts import tables, written
from bmzcard.sources.rdf_facts.weights import weight_entries
from bmzcard.sources.rdf_facts.common import (
    authored,
    bioimageio_config,
    bullets,
    get_field,
    image,
    is_url,
    link,
    package_link,
    source_text,
    text,
)

# Upload addresses of the zoo's bots: they upload, they do not share the model.
BOT_UPLOADERS = ("bioimageiobot@gmail.com",)
# `links` entries that are notebooks or demos, and those that are code repositories.
_DEMO_LINK = re.compile(r"colab|notebook|\.ipynb|binder|/demo|huggingface\.co/spaces", re.I)
_REPOSITORY_LINK = re.compile(r"^https?://(www\.)?(github\.com|gitlab\.com|bitbucket\.org)/[^/]+/[^/#?]+", re.I)


def identity_facts(description: Any, package: Package, card_dir, raw: dict, facts: FactSet) -> None:
    tags = [str(t) for t in (getattr(description, "tags", None) or [])]
    facts.extend(_title(description, package, card_dir, tags, raw))
    facts.extend(_people(description, raw))
    facts.extend(_license(raw))
    facts.extend(_sources(description, raw))
    config = bioimageio_config(description, raw)
    facts.extend(_model_type(config, tags))
    _task(description, config, tags, raw, facts)


def _title(description, package: Package, card_dir, tags: list[str], raw: dict) -> list[Fact]:
    name = written.name(raw) or description.name
    facts = [from_rdf("title.name", text(name), "name")]
    lines = [text(getattr(description, "description", ""))]
    sources = [Provenance("rdf", "description")]
    meta = []
    if getattr(description, "version", None) is not None:
        meta.append(f"version {md_text(description.version)}")
        sources.append(Provenance("rdf", "version"))
    if getattr(description, "id", None):
        meta.append(f"bioimage.io id {md_code(description.id)}")
        sources.append(Provenance("rdf", "id"))
    if tags:
        meta.append("tags: " + ", ".join(md_code(t) for t in tags))
        sources.append(Provenance("rdf", "tags"))
    if meta:
        lines += ["", meta[0][0].upper() + meta[0][1:] + "".join(f" · {m}" for m in meta[1:])]
    for index, cover, target in cover_links(description, package, card_dir):
        lines += ["", image(target, md_text(f"cover image {index + 1} of {name}"))]
        sources.append(Provenance("file", source_text(cover)))
    facts.append(Fact("title", "\n".join(lines).strip(), tuple(sources)))
    return facts


def cover_links(description, package: Package, card_dir) -> list[tuple[int, Any, str]]:
    """(index, cover, link from the card) of each cover the card can show."""
    found = []
    for index, cover in enumerate(getattr(description, "covers", None) or []):
        target = package_link(cover, package, card_dir)
        if target:
            found.append((index, cover, target))
    return found


def _person(person: Any) -> str:
    parts = [text(get_field(person, "name"))]
    if get_field(person, "affiliation"):
        parts.append(text(get_field(person, "affiliation")))
    if get_field(person, "orcid"):
        orcid = get_field(person, "orcid")
        parts.append(link(f"https://orcid.org/{quote(str(orcid), safe='')}", f"ORCID {orcid}"))
    if get_field(person, "github_user"):
        user = get_field(person, "github_user")
        parts.append(link(f"https://github.com/{quote(str(user), safe='')}", f"@{user}"))
    return ", ".join(p for p in parts if p)


def _people(description, raw: dict) -> list[Fact]:
    facts = []
    weight_authors = []
    for name, weights in weight_entries(description):
        for index, author in enumerate(getattr(weights, "authors", None) or []):
            weight_authors.append((author, f"weights.{name}.authors[{index}]"))
    rdf_authors = [(a, a.field) for a in written.people(raw)]
    authors = weight_authors or rdf_authors
    if authors:
        value = "; ".join(_person(a) for a, _ in authors)
        if weight_authors and rdf_authors and {a.name for a, _ in weight_authors} != {a.name for a, _ in rdf_authors}:
            value += "; model description by " + "; ".join(_person(a) for a, _ in rdf_authors)
            authors = authors + rdf_authors
        facts.append(
            Fact("model_description.developed_by", value, tuple(Provenance("rdf", where) for _, where in authors))
        )
    # Maintainers are the people who share the model; an uploader counts unless it is a bot's address.
    maintainers = [m for m in (getattr(description, "maintainers", None) or []) if get_field(m, "name") or
                   get_field(m, "github_user")]
    uploader = getattr(description, "uploader", None)
    if maintainers:
        facts.append(Fact("model_description.shared_by", "; ".join(_person(m) for m in maintainers),
                          tuple(Provenance("rdf", f"maintainers[{i}]") for i in range(len(maintainers)))))
    elif uploader is not None and str(getattr(uploader, "email", "")).lower() not in BOT_UPLOADERS:
        name = text(getattr(uploader, "name", None) or uploader.email)
        facts.append(from_rdf("model_description.shared_by", name, "uploader"))
    return facts


def _model_type(config, tags: list[str]) -> list[Fact]:
    """The architecture's name: the author's `architecture_type`, else architecture tags; never a Python name."""
    architecture_type = authored(config, "architecture_type")
    if architecture_type and not _is_python_name(str(architecture_type)):
        return [from_rdf("model_description.model_type", text(architecture_type),
                         "config.bioimageio.architecture_type")]
    names = list(dict.fromkeys(tables.ARCHITECTURE_TAGS[k] for k in map(tables.tag_key, tags)
                               if k in tables.ARCHITECTURE_TAGS))
    if names:
        return [from_rdf("model_description.model_type", ", ".join(names), "tags", detail="architecture tags")]
    return []


_PYTHON_NAME = re.compile(r"^[\w.]+(\.py)?(:[\w.]+)?$")


def _is_python_name(value: str) -> bool:
    """`PredictorAdaptor`, `infer_2d.py:Empanada2DInference`, `careamics.models.unet.UNet` (no spaces, code-like)."""
    value = value.strip().strip("`")
    return bool(_PYTHON_NAME.match(value)) and (
        "." in value or ":" in value or "_" in value or bool(re.search(r"[a-z][A-Z]", value)))


def _license(raw: dict) -> list[Fact]:
    license_id = written.license_id(raw)  # as the author wrote it, as `check` compares it
    if license_id is None:
        return []
    known = tables.spdx_licenses().get(str(license_id).lower())
    if known is None:
        return [from_rdf("model_description.license", f"{md_code(license_id)} (not an SPDX identifier)", "license")]
    return [from_rdf("model_description.license", f"[{known.name}]({known.reference}) (SPDX: `{known.id}`)",
                     "license")]


def _sources(description, raw: dict) -> list[Fact]:
    facts = []
    facts += _finetuned_from(description, raw)
    links = [str(x) for x in (raw.get("links") or []) if isinstance(x, (str, int, float))] \
        if isinstance(raw.get("links"), list) else []
    repositories, demos = [], []
    git_repo = raw.get("git_repo") if isinstance(raw.get("git_repo"), str) else getattr(description, "git_repo", None)
    if git_repo:
        repositories.append((str(git_repo), "git_repo"))
    for index, url in enumerate(links):
        if not is_url(url):
            continue
        if _DEMO_LINK.search(url):
            demos.append((url, f"links[{index}]"))
        elif _REPOSITORY_LINK.search(url) and url.rstrip("/") not in {u.rstrip("/") for u, _ in repositories}:
            repositories.append((url, f"links[{index}]"))
    documentation = raw.get("documentation")
    if isinstance(documentation, dict):
        documentation = documentation.get("source")
    if repositories:
        facts.append(Fact("model_sources.repository", ", ".join(link(u) for u, _ in repositories),
                          tuple(Provenance("rdf", w) for _, w in repositories)))
        facts.append(Fact("downstream_use", "Training and fine-tuning code may be available in the model's "
                          f"repository, {link(repositories[0][0])}.", (Provenance("rdf", repositories[0][1]),)))
    if demos:
        facts.append(Fact("model_sources.demo", ", ".join(link(u) for u, _ in demos),
                          tuple(Provenance("rdf", w) for _, w in demos)))
    citations = []
    for index, cite in enumerate(getattr(description, "cite", None) or []):
        cite_text = text(cite.text)
        if getattr(cite, "doi", None):
            citations.append((f"{cite_text}, DOI: {link(f'https://doi.org/{quote(str(cite.doi))}', cite.doi)}", index))
        elif getattr(cite, "url", None):
            citations.append((f"{cite_text}, {link(cite.url)}", index))
        else:
            citations.append((cite_text, index))
    if is_url(documentation):
        citations.append((f"documentation: {link(documentation)}", -1))
    if citations:
        value = citations[0][0] if len(citations) == 1 else bullets(c for c, _ in citations)
        facts.append(Fact("model_sources.paper", value, tuple(
            Provenance("rdf", f"cite[{i}]" if i >= 0 else "documentation") for _, i in citations)))
    return facts


def _finetuned_from(description, raw: dict) -> list[Fact]:
    parent = raw.get("parent")
    if isinstance(parent, dict):
        parent_id, version = parent.get("id"), parent.get("version") or parent.get("version_number")
    elif isinstance(parent, str):
        parent_id, version = parent, None
    else:
        parent_id, version = None, None
    if parent_id:
        value = f"bioimage.io model {md_code(parent_id)}" + (f" (version {md_text(version)})" if version else "")
        return [from_rdf("model_description.finetuned_from", value, "parent")]
    words = str(raw.get("description") or "")
    match = re.search(r"\b(?:fine-?tuned|trained|initiali[sz]ed)\s+(?:from|on top of|starting from)\s+"
                      r"(?:the\s+)?(?:bioimage\.io\s+)?(?:model\s+)?`?([a-z]+-[a-z]+(?:/\d+)?)`?", words, re.I)
    if match:
        return [from_rdf("model_description.finetuned_from", f"bioimage.io model {md_code(match.group(1))}",
                         "description", detail="zoo id named in the description")]
    return []


def _task(description, config, tags: list[str], raw: dict, facts: FactSet) -> None:
    keys = [tables.tag_key(t) for t in tags]
    for key, name, vocabulary, path in (
        ("task_details.task_type", "task", tables.TASK_TAGS, "config.bioimageio.task"),
        ("task_details.target_structures", "target_structure", tables.STRUCTURE_TAGS,
         "config.bioimageio.target_structure"),
    ):
        value = authored(config, name)
        if value:
            written = md_text(", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value)
            facts.add(from_rdf(key, written, path))
            continue
        terms = list(dict.fromkeys(vocabulary[k] for k in keys if k in vocabulary))
        if key == "task_details.target_structures":
            organisms = list(dict.fromkeys(tables.ORGANISM_TAGS[k] for k in keys if k in tables.ORGANISM_TAGS))
            terms += [f"in {', '.join(organisms)}"] if organisms and terms else organisms
        if key == "task_details.task_type" and "instance segmentation" in terms and "segmentation" in terms:
            terms.remove("segmentation")
        if key == "task_details.task_type" and "semantic segmentation" in terms and "segmentation" in terms:
            terms.remove("segmentation")
        if terms:
            facts.add(from_rdf(key, ", ".join(terms), "tags", detail=f"{name} tags"))
    _modality(config, keys, raw, facts)
    techniques = list(dict.fromkeys(tables.TECHNIQUE_TAGS[k] for k in keys if k in tables.TECHNIQUE_TAGS))
    if techniques:
        facts.add(from_rdf("task_details.imaging_technique", ", ".join(techniques), "tags", detail="technique tags"))


def modality_groups(words: str) -> set[str]:
    """Modality groups a free text names ("brightfield images of ..." -> {"brightfield"})."""
    padded = f" {words.lower()} "
    return {group for group, needles in tables.MODALITY_WORDS.items() if any(n in padded for n in needles)}


def _compatible(groups: set[str]) -> bool:
    return len(groups) <= 1 or any(groups <= pair for pair in tables.COMPATIBLE_MODALITIES)


def _modality(config, keys: list[str], raw: dict, facts: FactSet) -> None:
    value = authored(config, "modality")
    if value:
        written = md_text(", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value)
        facts.add(from_rdf("model_description.modality", written, "config.bioimageio.modality"))
        return
    found = [tables.MODALITY_TAGS[k] for k in keys if k in tables.MODALITY_TAGS]
    if not found:
        return
    tag_groups = {group for _, group in found if group}
    described = modality_groups(" ".join(str(raw.get(k) or "") for k in ("name", "description")))
    if not _compatible(tag_groups):
        facts.leave_todo("model_description.modality",
                         f"the tags name different modalities ({', '.join(sorted(tag_groups))}); the author must say which")
        return
    if tag_groups and described and not _compatible(tag_groups | described):
        facts.leave_todo("model_description.modality",
                         f"the tags say {', '.join(sorted(tag_groups))} but the description says "
                         f"{', '.join(sorted(described))}; the author must say which")
        return
    terms = list(dict.fromkeys(term for term, _ in found))
    facts.add(from_rdf("model_description.modality", ", ".join(terms), "tags", detail="modality tags"))
