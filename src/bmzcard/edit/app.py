"""The editor's web app: server-rendered pages and htmx fragments (starlette + jinja2).

Routes take ids, never paths: a tab id (one per page load), control ids from
`form.py` and finding numbers. The only files served are the editor's own
static files; the card's images reach the page embedded in the preview.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bmzcard.edit.form import build_form, dom_id, finding_target, is_control_id
from bmzcard.edit.live import LiveView
from bmzcard.edit.review import checklist_markdown
from bmzcard.edit.saving import recorded_facts
from bmzcard.edit.security import Guard
from bmzcard.edit.session import EditorSession, Tab
from bmzcard.errors import BmzcardError
from bmzcard.sources.readme import MAX_CARD_BYTES

HERE = Path(__file__).parent
MAX_BODY = 2 * MAX_CARD_BYTES + 65_536  # one control's value (at most a whole card), URL-encoded
_KIND_WORDS = {
    "measurement": "measured by bmzcard measure",
    "evaluation": "from bmzcard evaluate",
    "computed": "computed by bmzcard",
}


def create_app(session: EditorSession, *, token: str, port: int) -> Guard:
    """The ASGI app for one session, behind its guard (see `security.py`)."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(dom_id=dom_id, finding_target=finding_target)

    def page_context(request: Request, tab: Tab, view: LiveView, **extra) -> dict:
        return {
            "request": request, "session": session, "tab": tab, "view": view, "card_name": session.card.name,
            "sections": build_form(view.document, provenance=_provenance(session)), **extra,
        }

    def fragment(request: Request, name: str, context: dict, headers: dict | None = None) -> Response:
        return templates.TemplateResponse(request, name, context, headers=headers)

    async def page(request: Request) -> Response:
        tab = session.new_tab()
        view = await run_in_threadpool(session.view, tab)
        raw = request.query_params.get("view") == "markdown" or not any(
            h.section_key is not None for h in view.document.headings)
        name = "review.html" if session.review else "page.html"
        return fragment(request, name, page_context(request, tab, view, raw=raw))

    async def update(request: Request) -> Response:
        form = await _form(request)
        tab = session.tab(form.get("tab", ""))
        control = form.get("control", "")
        if not is_control_id(control):
            raise BmzcardError("no such control")
        view = await run_in_threadpool(session.update, tab, control, form.get("value", ""))
        return fragment(request, "live.html", {"request": request, "session": session, "tab": tab, "view": view,
                                               "oob": True})

    async def form_view(request: Request) -> Response:
        tab = session.tab(request.query_params.get("tab", ""))
        view = await run_in_threadpool(session.view, tab)
        raw = request.query_params.get("view") == "markdown"
        return fragment(request, "form.html", page_context(request, tab, view, raw=raw))

    async def section_view(request: Request) -> Response:
        tab = session.tab(request.query_params.get("tab", ""))
        wanted = request.query_params.get("id", "")
        view = await run_in_threadpool(session.view, tab)
        context = page_context(request, tab, view)
        section = next((s for s in context["sections"] if s.id == wanted), None)
        if section is None:
            raise BmzcardError("no such section; reload the page")
        markdown = request.query_params.get("view") == "markdown" and section.present
        return fragment(request, "section.html", {**context, "section": section, "markdown": markdown})

    async def save(request: Request) -> Response:
        form = await _form(request)
        tab = session.tab(form.get("tab", ""))
        overwrite = form.get("overwrite") or None
        result = await run_in_threadpool(lambda: session.save(tab, overwrite=overwrite))
        diff = _diff(result.conflict, tab.text, session.card.name) if result.conflict is not None else ""
        return fragment(request, "saved.html", {"request": request, "tab": tab, "result": result, "diff": diff,
                                                "session": session})

    async def reload(request: Request) -> Response:
        form = await _form(request)
        tab = session.tab(form.get("tab", ""))
        await run_in_threadpool(session.reload, tab)
        view = await run_in_threadpool(session.view, tab)
        return fragment(request, "reloaded.html", page_context(request, tab, view, raw=False))

    async def checklist(request: Request) -> Response:
        form = await _form(request, multi=True)
        tab = session.tab(_first(form, "tab"))
        view = await run_in_threadpool(session.view, tab)
        picked = [int(v) for v in form.get("pick", []) if v.isdigit()]
        notes = {int(k[5:]): v[0] for k, v in form.items() if k.startswith("note-") and k[5:].isdigit()}
        text = checklist_markdown(view, session.card.name, picked, notes)
        session.checklists[tab.id] = text
        return fragment(request, "checklist.html", {"request": request, "tab": tab, "text": text})

    async def checklist_file(request: Request) -> Response:
        tab = session.tab(request.query_params.get("tab", ""))
        text = session.checklists.get(tab.id)
        if text is None:
            raise BmzcardError("no checklist exported yet")
        return Response(text, media_type="text/markdown; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="review-checklist.md"'})

    async def error(request: Request, exc: BmzcardError) -> Response:
        if request.headers.get("hx-request"):
            return fragment(request, "message.html", {"request": request, "message": str(exc), "error": True},
                            headers={"HX-Reswap": "none"})
        return PlainTextResponse(str(exc), status_code=409)

    app = Starlette(
        routes=[
            Route("/", page),
            Route("/update", update, methods=["POST"]),
            Route("/form", form_view),
            Route("/section", section_view),
            Route("/save", save, methods=["POST"]),
            Route("/reload", reload, methods=["POST"]),
            Route("/checklist", checklist, methods=["POST"]),
            Route("/checklist.md", checklist_file),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        exception_handlers={BmzcardError: error},
    )
    return Guard(app, token=token, csrf=session.csrf, port=port)


async def _form(request: Request, *, multi: bool = False) -> dict:
    """The URL-encoded form body, read up to `MAX_BODY` bytes (htmx sends no files)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BmzcardError(f"request larger than {MAX_BODY:,} bytes")
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=5000)
    if not multi:
        return dict(pairs)
    form: dict[str, list[str]] = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return form


def _first(form: dict[str, list[str]], key: str) -> str:
    return (form.get(key) or [""])[0]


def _provenance(session: EditorSession) -> dict[str, tuple[str, str]]:
    """Each recorded fact's value and where it came from, in words, from the card's sidecar."""
    found = {}
    for fact in recorded_facts(session.card):
        if not isinstance(fact, dict) or "key" not in fact or "value" not in fact:
            continue
        words = []
        for source in fact.get("sources") or []:
            if not isinstance(source, dict):
                continue
            kind, where = source.get("kind"), source.get("where", "")
            if kind == "rdf":
                words.append(f"from {session.rdf_name}: {where}")
            elif kind == "file":
                words.append(f"from the file {where}")
            else:
                words.append(_KIND_WORDS.get(kind, str(kind)))
        if words:
            found[str(fact["key"])] = (str(fact["value"]), "; ".join(dict.fromkeys(words)))
    return found


def _diff(disk: str, mine: str, name: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(disk.splitlines(keepends=True), mine.splitlines(keepends=True),
                                        f"{name} (on disk now)", f"{name} (yours)"))
