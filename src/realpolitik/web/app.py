"""The FastAPI application: pages, downloads and the small JSON API (see docs/web.md)."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from realpolitik import __version__, defaults
from realpolitik.models import model_names
from realpolitik.scenario import Problem, builtin_ids
from realpolitik.web import compare as cmp
from realpolitik.web import forms, scenarios, security, views
from realpolitik.web import links as lnk
from realpolitik.web.db import (
    ACTIVE,
    DONE,
    QUEUED,
    MetaRow,
    RunRow,
    ScenarioRow,
    display_url,
    make_engine,
    migrate,
    now,
    unpack,
)
from realpolitik.web.jobs import JobManager
from realpolitik.web.worker import KIND_TITLES, KINDS, safe_name, scenario_file

#: Largest accepted request: an upload of MAX_UPLOAD_BYTES plus room for the form's other fields.
MAX_BODY = scenarios.MAX_UPLOAD_BYTES + 256 * 1024
MAX_DRAWS = 20_000
#: The two scenarios the compare forms suggest: the flagship case before and after the 2022 break.
SUGGESTED_PAIR = ("builtin:japan-russia-2016", "builtin:japan-russia-2022")
STATIC = {
    "htmx.min.js": "application/javascript",
    "app.js": "application/javascript",
    "app.css": "text/css",
}


@dataclass
class Settings:
    """How the app runs: database URL, access token, number of job workers."""

    db_url: str
    token: str | None = None
    workers: int = 2
    run_jobs: bool = True  # False: runs are queued but no pool is started (tests of the queue itself)


@dataclass
class State:
    settings: Settings
    engine: Engine
    env: jinja2.Environment
    key: str = ""
    jobs: JobManager | None = None
    static: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ helpers
def _env() -> jinja2.Environment:
    from realpolitik.report.render import add_filters

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("realpolitik.web", "templates"),
                jinja2.PackageLoader("realpolitik.report", "templates"),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    add_filters(env)
    env.globals.update(kind_titles=KIND_TITLES, version=__version__, default_model=defaults.MODEL)
    env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M:%S UTC") if d else "—"
    env.filters["model_label"] = lambda params: cmp.model_label(dict(params or {}))
    env.filters["jsondata"] = _json_data
    env.filters["fid"] = lambda name: "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", str(name))
    return env


def _json_data(data: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&`` inside."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _static_files() -> dict[str, tuple[bytes, str, str]]:
    """name -> (bytes, content type, etag) of the files the app serves (read once)."""
    import hashlib

    out: dict[str, tuple[bytes, str, str]] = {}
    root = resources.files("realpolitik.web") / "static"
    for name, ctype in STATIC.items():
        out[name] = ((root / name).read_bytes(), ctype, "")
    report = resources.files("realpolitik.report") / "templates" / "html"
    out["report.css"] = ((report / "style.css").read_bytes(), "text/css", "")
    out["report-init.js"] = ((report / "init.js").read_bytes(), "application/javascript", "")
    for name, (body, ctype, _) in list(out.items()):
        out[name] = (body, ctype, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
    return out


def _plotly() -> tuple[bytes, str, str]:
    from realpolitik.report.render import plotly_js

    body = plotly_js().encode("utf-8")
    return body, "application/javascript", f'"plotly-{len(body)}"'


def _state(request: Request) -> State:
    st: State = request.app.state.rp
    return st


def _session(request: Request) -> Iterator[Session]:
    with Session(_state(request).engine) as s:
        yield s


async def _form(request: Request) -> FormData:
    if request.method in security.SAFE_METHODS:
        return FormData()
    return await request.form(max_files=2, max_fields=20_000, max_part_size=MAX_BODY)


async def _csrf(request: Request) -> None:
    """Every state-changing request carries the session's CSRF token (header or form field)."""
    if request.method in security.SAFE_METHODS:
        return
    token = request.headers.get(security.CSRF_HEADER)
    if not token:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await _form(request)
            v = form.get(security.CSRF_FIELD)
            token = v if isinstance(v, str) else None
    sid = request.cookies.get(security.SESSION_COOKIE)
    if not security.csrf_ok(_state(request).key, sid, token):
        raise HTTPException(
            403,
            "This form is out of date or did not come from this app (its security token does not match). "
            "Reload the page and try again.",
        )


def _csrf_value(request: Request) -> str:
    sid = request.cookies.get(security.SESSION_COOKIE) or request.state.new_sid
    return security.csrf_token(_state(request).key, sid)


def _render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    st = _state(request)
    html = st.env.get_template(template).render(
        request=request, csrf=_csrf_value(request), path=request.url.path, **ctx
    )
    return HTMLResponse(html, status_code=status)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _int(v: Any, default: int | None = None) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return default


def _scenario(db: Session, sid: int) -> ScenarioRow:
    row = db.get(ScenarioRow, sid)
    if row is None:
        raise HTTPException(404, f"there is no scenario {sid}")
    return row


def _run(db: Session, rid: int) -> RunRow:
    row = db.get(RunRow, rid)
    if row is None:
        raise HTTPException(404, f"there is no run {rid}")
    return row


def _str(form: FormData, key: str) -> str | None:
    v = form.get(key)
    return v if isinstance(v, str) else None


# ------------------------------------------------------------------------------------------ storage
def new_scenario(db: Session, text: str, origin: str) -> ScenarioRow:
    checked = scenarios.check_text(text)
    sid, title = scenarios.meta_of(text)
    row = ScenarioRow(
        scenario_id=sid, title=title, content=text, valid=checked.valid, origin=origin[:300], version=1
    )
    db.add(row)
    db.commit()
    return row


class Conflict(Exception):
    def __init__(self, current: ScenarioRow) -> None:
        self.current = current


def save_scenario(db: Session, row: ScenarioRow, text: str, base_version: int) -> int:
    """Store ``text`` as the next version of ``row`` if it is still at ``base_version``; the new version.

    Raises :class:`Conflict` (with the current row) when another save came first: nothing is overwritten.
    """
    checked = scenarios.check_text(text)
    sid, title = scenarios.meta_of(text)
    res = db.execute(
        update(ScenarioRow)
        .where(ScenarioRow.id == row.id, ScenarioRow.version == base_version)
        .values(
            content=text,
            valid=checked.valid,
            scenario_id=sid,
            title=title,
            version=base_version + 1,
            updated_at=now(),
        )
    )
    db.commit()
    if not getattr(res, "rowcount", 0):
        db.expire_all()
        current = db.get(ScenarioRow, row.id)
        assert current is not None
        raise Conflict(current)
    return base_version + 1


def create_run(
    st: State, db: Session, row: ScenarioRow, kind: str, params: dict[str, Any], seed: int
) -> RunRow:
    checked = scenarios.check_text(row.content)
    if not checked.valid or checked.scenario is None:
        raise HTTPException(422, "this scenario has problems; fix them in the editor before running it")
    run = RunRow(
        scenario_row=row.id,
        scenario_version=row.version,
        scenario_id=checked.scenario.id,
        scenario_title=checked.scenario.title,
        scenario_content=row.content,
        scenario_hash=scenarios.content_hash(checked.scenario),
        realpolitik_version=__version__,
        kind=kind,
        params=params,
        seed=seed,
        status=QUEUED,
        step="queued",
        done_steps=0,
        total_steps=0,
        cancel_requested=False,
        instance=st.jobs.instance if st.jobs else "",
    )
    db.add(run)
    db.commit()
    if st.jobs is not None and st.settings.run_jobs:
        st.jobs.submit(run.id)
    return run


def _run_params(form: FormData) -> tuple[str, dict[str, Any], int]:
    kind = _str(form, "kind") or "forecast"
    if kind not in KINDS:
        raise HTTPException(400, f"unknown job {kind!r}: expected one of {', '.join(KINDS)}")
    model = (_str(form, "model") or "").strip() or None
    if model is not None and model not in model_names():
        raise HTTPException(400, f"unknown model {model!r}: expected one of {', '.join(model_names())}")
    seed = _int(_str(form, "seed"), 0)
    if seed is None or not 0 <= seed < 2**31:
        raise HTTPException(400, "seed: expected a whole number from 0 to 2147483647")
    draws = _int(_str(form, "draws"), 2000)
    if draws is None or not 1 <= draws <= MAX_DRAWS:
        raise HTTPException(400, f"draws: expected a whole number from 1 to {MAX_DRAWS:,}")
    # the default model is recorded with the run, so its page names the model it ran with even after
    # a release changes the default
    params: dict[str, Any] = {"model": model} if model else {"model": None, "default_model": defaults.MODEL}
    if kind in ("montecarlo", "analyze"):
        params["draws"] = draws
    return kind, params, seed


# ------------------------------------------------------------------------------------------ the app
def create_app(settings: Settings) -> FastAPI:
    """The web app for ``settings`` (the database is migrated and the pool started on startup)."""
    engine = make_engine(settings.db_url)
    st = State(settings=settings, engine=engine, env=_env(), static=_static_files())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(engine)
        with Session(engine) as db:
            meta = db.get(MetaRow, "csrf_key")
            if meta is None:
                db.add(MetaRow(key="csrf_key", value=secrets.token_hex(32)))
                db.commit()
                meta = db.get(MetaRow, "csrf_key")
            assert meta is not None
            st.key = meta.value
        if settings.run_jobs:
            st.jobs = JobManager(engine, settings.db_url, settings.workers)
            st.jobs.start()
        try:
            yield
        finally:
            if st.jobs is not None:
                st.jobs.stop()
            engine.dispose()

    app = FastAPI(
        title="realpolitik",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(_csrf)],
    )
    app.state.rp = st

    @app.middleware("http")
    async def session_cookie(request: Request, call_next: Any) -> Response:
        sid = request.cookies.get(security.SESSION_COOKIE)
        request.state.new_sid = None if sid else security.new_session_id()
        response: Response = await call_next(request)
        if request.state.new_sid:
            response.set_cookie(
                security.SESSION_COOKIE, request.state.new_sid, httponly=True, samesite="strict", path="/"
            )
        return response

    app.add_middleware(security.SecurityMiddleware, token=settings.token, max_body=MAX_BODY)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        if request.headers.get("hx-request"):
            return HTMLResponse(
                f'<p class="error" role="alert">{Markup.escape(exc.detail)}</p>', status_code=exc.status_code
            )
        return _render(
            request, "error.html", status=exc.status_code, message=exc.detail, code=exc.status_code
        )

    _routes(app, st)
    return app


def _routes(app: FastAPI, st: State) -> None:
    # -------------------------------------------------------------------------------- static
    @app.get("/static/{name}")
    def static(name: str, request: Request) -> Response:
        if name == "plotly.min.js":
            if "plotly.min.js" not in st.static:
                st.static["plotly.min.js"] = _plotly()
            body, ctype, etag = st.static["plotly.min.js"]
        elif name in st.static:
            body, ctype, etag = st.static[name]
        else:
            raise HTTPException(404, "no such file")
        headers = {"etag": etag, "cache-control": "public, max-age=3600"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=ctype, headers=headers)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz")
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    # -------------------------------------------------------------------------------- library
    def library(
        request: Request, db: Session, status: int = 200, upload_problems: list[str] | None = None
    ) -> HTMLResponse:
        counts = dict(
            db.execute(select(RunRow.scenario_row, func.count()).group_by(RunRow.scenario_row)).all()
        )
        rows = db.scalars(select(ScenarioRow).order_by(ScenarioRow.updated_at.desc())).all()
        runs = db.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(30)).all()
        builtins = [{"id": b, "title": title} for b, title in scenarios.builtin_titles()]
        return _render(
            request,
            "library.html",
            status=status,
            rows=rows,
            counts=counts,
            builtins=builtins,
            runs=runs,
            upload_problems=upload_problems or [],
            limit=scenarios.MAX_UPLOAD_BYTES,
            pair=SUGGESTED_PAIR,
        )

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, db: Session = Depends(_session)) -> HTMLResponse:
        return library(request, db)

    @app.post("/scenarios/new")
    def new_blank(db: Session = Depends(_session)) -> RedirectResponse:
        row = new_scenario(db, scenarios.BLANK, "new blank scenario")
        return _redirect(f"/scenarios/{row.id}")

    @app.post("/scenarios/builtin")
    def from_builtin(form: FormData = Depends(_form), db: Session = Depends(_session)) -> RedirectResponse:
        b = _str(form, "builtin") or ""
        if b not in builtin_ids():
            raise HTTPException(400, f"there is no built-in scenario {b!r}")
        row = new_scenario(db, scenarios.builtin_text(b), f"copy of built-in {b}")
        return _redirect(f"/scenarios/{row.id}")

    @app.post("/scenarios/upload")
    def upload(
        request: Request, form: FormData = Depends(_form), db: Session = Depends(_session)
    ) -> Response:
        f = form.get("file")
        if not isinstance(f, UploadFile) or not f.filename:
            return library(request, db, 400, ["choose a file to upload"])
        raw = f.file.read(scenarios.MAX_UPLOAD_BYTES + 1)
        up = scenarios.read_upload(raw, f.filename)
        if up.text is None:
            return library(request, db, 400, [str(p) for p in up.problems])
        row = new_scenario(db, up.text, f"upload {up.name}")
        return _redirect(f"/scenarios/{row.id}" + ("" if row.valid else "?uploaded=problems"))

    # -------------------------------------------------------------------------------- editor
    def editor(
        request: Request,
        db: Session,
        row: ScenarioRow,
        draft: Any,
        *,
        base_version: int,
        status: int = 200,
        problems: list[Problem] | None = None,
        conflict: ScenarioRow | None = None,
        saved: bool = False,
        notice: str | None = None,
        focus: str | None = None,
    ) -> HTMLResponse:
        why = forms.grid_problem(draft)
        info = _links_of(row, draft) if why is None else lnk.LinkInfo({})
        if problems is None:
            problems = [] if why else scenarios.check_data(draft).problems
        form = forms.build_form(draft, problems, info.fields) if why is None else None
        if form is not None and focus:
            form.focus = form.paths.get(focus, "")
        runs = db.scalars(
            select(RunRow).where(RunRow.scenario_row == row.id).order_by(RunRow.id.desc()).limit(10)
        ).all()
        return _render(
            request,
            "editor.html",
            status=status,
            row=row,
            form=form,
            grid_problem=why,
            problems=problems,
            draft_json=forms.draft_json(draft),
            base_version=base_version,
            conflict=conflict,
            saved=saved,
            notice=notice,
            runs=runs,
            models=model_names(),
            kinds=KINDS,
            opts=forms,
            valid=row.valid,
            range_problem=bool(form and form.widen),
            links=info,
            other_warnings=[w for w in info.warnings if not lnk.is_overwrite_warning(w)],
        )

    def _links_of(row: ScenarioRow, draft: Any) -> lnk.LinkInfo:
        """The linked numbers of the editor's draft (the stored text's, cached, when it is unchanged)."""
        stored = scenarios.draft_from_text(row.content)
        if draft == stored:
            return lnk.text_link_info(row.content)
        checked = scenarios.check_data(draft)
        same_links = lnk.raw_links(draft) == lnk.raw_links(stored)
        return lnk.link_info(
            draft, checked.scenario if checked.valid else None, row.content if same_links else None
        )

    @app.get("/scenarios/{sid}", response_class=HTMLResponse)
    def edit(sid: int, request: Request, db: Session = Depends(_session)) -> HTMLResponse:
        row = _scenario(db, sid)
        draft = scenarios.draft_from_text(row.content)
        problems = scenarios.check_text(row.content, "scenario").problems
        if forms.grid_problem(draft) is not None:
            return _redirect_yaml(sid)  # type: ignore[return-value]
        notice = None
        if request.query_params.get("uploaded") == "problems":
            notice = "The uploaded file has problems, shown on the fields they concern. Fix them and save."
        return editor(
            request, db, row, draft, base_version=row.version, problems=problems,
            saved=request.query_params.get("saved") == "1", notice=notice,
        )  # fmt: skip

    def _redirect_yaml(sid: int) -> RedirectResponse:
        return _redirect(f"/scenarios/{sid}/yaml")

    @app.post("/scenarios/{sid}")
    def edit_post(
        sid: int, request: Request, form: FormData = Depends(_form), db: Session = Depends(_session)
    ) -> Response:
        row = _scenario(db, sid)
        base = _int(_str(form, "base_version"), row.version) or row.version
        draft = forms.draft_from_json(_str(form, "draft") or "")
        if forms.grid_problem(draft) is not None:
            raise HTTPException(400, "the form's draft is damaged; reload the editor")
        values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        op = _str(form, "op") or "save"
        new = forms.apply_form(draft, values, op if op.startswith("add_") else None)
        if op.startswith("add_"):
            return editor(request, db, row, new, base_version=base, notice="Added. Save to keep it.")
        if op.startswith("unlink:"):
            index = _int(op.removeprefix("unlink:"))
            if index is None:
                raise HTTPException(400, "which link to remove: expected its number")
            return unlink(request, db, row, new, base, index)
        if op.startswith("widen:"):
            path = op.removeprefix("widen:")
            if not forms.widen_one(new, path):
                raise HTTPException(400, f"{path}: no uncertainty range to widen there")
            q = forms.at_path(new, path)
            notice = (
                f"Widened the uncertainty range of {path} to [{forms.qrange(q)}] (it contains the new "
                "value). Save to keep it."
            )
            return editor(request, db, row, new, base_version=base, notice=notice, focus=path)
        if _str(form, "widen"):
            forms.widen_ranges(new)
        checked = scenarios.check_data(new)
        if not checked.valid or checked.scenario is None:
            return editor(request, db, row, new, base_version=base, status=422, problems=checked.problems)
        from realpolitik.scenario import dumps

        text = dumps(checked.scenario)
        try:
            save_scenario(db, row, text, base)
        except Conflict as c:
            return editor(
                request, db, row, new, base_version=base, status=409, problems=[], conflict=c.current
            )
        if op == "save_run":
            db.refresh(row)
            kind, params, seed = _run_params(form)
            run = create_run(st, db, row, kind, params, seed)
            return _redirect(f"/runs/{run.id}")
        return _redirect(f"/scenarios/{sid}?saved=1")

    def unlink(
        request: Request, db: Session, row: ScenarioRow, draft: Any, base: int, index: int
    ) -> HTMLResponse:
        """Remove a link (and every other link on its target) so that the number can be typed."""
        checked = scenarios.check_data(draft)
        info = lnk.link_info(draft, checked.scenario if checked.valid else None)
        field = info.by_index(index)
        if field is None or not lnk.remove_links(draft, index):
            raise HTTPException(400, f"there is no environment link {index} to remove")
        path = next(p for p, f in info.fields.items() if f is field)
        gone = " and ".join(f"environment.links[{k}]" for k in field.all_indexes)
        was = f" (the link gave {field.value:.3g} {field.when})" if field.value is not None else ""
        own = (
            f"the file's own number, {field.file_value:g}{was}"
            if field.file_value is not None
            else f"empty: the file gives no number{was}"
        )
        notice = (
            f"Removed the link {gone} ({field.target}, driven by {field.driver}). {field.words} is "
            f"now {own}: set the number you want and save (leave without saving to keep the link)."
        )
        return editor(request, db, row, draft, base_version=base, notice=notice, focus=path)

    @app.get("/scenarios/{sid}/yaml", response_class=HTMLResponse)
    def yaml_view(sid: int, request: Request, db: Session = Depends(_session)) -> HTMLResponse:
        row = _scenario(db, sid)
        problems = scenarios.check_text(row.content, "scenario").problems
        return _render(
            request, "yaml.html", row=row, text=row.content, base_version=row.version, problems=problems,
            conflict=None, saved=request.query_params.get("saved") == "1", posted=False,
            grid_ok=forms.grid_problem(scenarios.draft_from_text(row.content)) is None,
            select_line=_int(request.query_params.get("line")),
            warnings=lnk.text_link_info(row.content).warnings,
        )  # fmt: skip

    @app.post("/scenarios/{sid}/yaml")
    def yaml_post(
        sid: int, request: Request, form: FormData = Depends(_form), db: Session = Depends(_session)
    ) -> Response:
        row = _scenario(db, sid)
        base = _int(_str(form, "base_version"), row.version) or row.version
        text = (_str(form, "yaml") or "").replace("\r\n", "\n")
        checked = scenarios.check_text(text, "scenario")
        op = _str(form, "op") or "save"
        grid_ok = forms.grid_problem(scenarios.draft_from_text(text)) is None
        if op == "check" or not checked.valid:
            warnings = (
                lnk.link_info(scenarios.draft_from_text(text), checked.scenario).warnings
                if checked.valid
                else ()
            )
            return _render(
                request, "yaml.html", status=200 if checked.valid else 422, row=row, text=text,
                base_version=base, problems=checked.problems, conflict=None, saved=False,
                checked=checked.valid, grid_ok=grid_ok, posted=True, select_line=None, warnings=warnings,
            )  # fmt: skip
        try:
            save_scenario(db, row, text, base)
        except Conflict as c:
            return _render(
                request, "yaml.html", status=409, row=row, text=text, base_version=base, problems=[],
                conflict=c.current, saved=False, grid_ok=grid_ok, posted=True, select_line=None, warnings=(),
            )  # fmt: skip
        return _redirect(f"/scenarios/{sid}/yaml?saved=1")

    @app.post("/scenarios/{sid}/copy")
    def save_copy(sid: int, form: FormData = Depends(_form), db: Session = Depends(_session)) -> Response:
        row = _scenario(db, sid)
        text = _str(form, "yaml")
        if text is None:
            draft = forms.draft_from_json(_str(form, "draft") or "")
            if not isinstance(draft, dict):
                raise HTTPException(400, "nothing to save")
            values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            draft = forms.apply_form(draft, values) if forms.grid_problem(draft) is None else draft
            checked = scenarios.check_data(draft)
            if checked.scenario is not None:
                from realpolitik.scenario import dumps

                text = dumps(checked.scenario)
            else:
                import yaml

                text = yaml.safe_dump(draft, sort_keys=False, allow_unicode=True, width=110)
        new = new_scenario(db, text.replace("\r\n", "\n"), f"copy of scenario {row.id} (v{row.version})")
        return _redirect(f"/scenarios/{new.id}")

    @app.get("/scenarios/{sid}/scenario.yaml")
    def download_scenario(sid: int, db: Session = Depends(_session)) -> Response:
        row = _scenario(db, sid)
        return _attachment(row.content, f"{_safe(row.scenario_id)}.yaml", "application/yaml")

    @app.post("/scenarios/{sid}/run")
    def run_scenario(sid: int, form: FormData = Depends(_form), db: Session = Depends(_session)) -> Response:
        row = _scenario(db, sid)
        kind, params, seed = _run_params(form)
        run = create_run(st, db, row, kind, params, seed)
        return _redirect(f"/runs/{run.id}")

    # -------------------------------------------------------------------------------- runs
    def run_view(run: RunRow) -> dict[str, Any]:
        ctx: dict[str, Any] = {
            "card": None, "sections": [], "figures": {}, "traceback": None, "done": False, "hide": [],
        }  # fmt: skip
        if run.status == DONE and run.view is not None:
            rv = _run_view(run)
            ctx.update(
                card=rv.card, sections=rv.sections, figures=views.figure_specs(rv.sections), done=True,
                hide=rv.hide,
            )  # fmt: skip
        elif run.view is not None:
            ctx["traceback"] = (unpack(run.view) or {}).get("traceback")
        return ctx

    @app.get("/runs/{rid}", response_class=HTMLResponse)
    def run_page(rid: int, request: Request, db: Session = Depends(_session)) -> HTMLResponse:
        run = _run(db, rid)
        others = db.scalars(
            select(RunRow).where(RunRow.status == DONE, RunRow.id != rid).order_by(RunRow.id.desc()).limit(50)
        ).all()
        return _render(
            request, "run.html", run=run, others=others, active=run.status in ACTIVE, **run_view(run)
        )

    @app.get("/runs/{rid}/status", response_class=HTMLResponse)
    def run_status(rid: int, request: Request, db: Session = Depends(_session)) -> Response:
        run = _run(db, rid)
        if run.status not in ACTIVE and request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Refresh": "true"})
        return _render(request, "run_status.html", run=run, active=run.status in ACTIVE)

    @app.post("/runs/{rid}/cancel")
    def run_cancel(rid: int, request: Request, db: Session = Depends(_session)) -> Response:
        run = _run(db, rid)
        if run.status in ACTIVE and st.jobs is not None:
            st.jobs.cancel(rid)
        elif run.status in ACTIVE:
            db.execute(update(RunRow).where(RunRow.id == rid).values(cancel_requested=True))
            db.commit()
        if request.headers.get("hx-request"):
            db.expire_all()
            run = _run(db, rid)
            if run.status not in ACTIVE:
                return Response(status_code=200, headers={"HX-Refresh": "true"})
            return _render(request, "run_status.html", run=run, active=True)
        return _redirect(f"/runs/{rid}")

    @app.get("/api/runs/{rid}")
    def api_run(rid: int, db: Session = Depends(_session)) -> JSONResponse:
        run = _run(db, rid)
        return JSONResponse(
            {
                "id": run.id,
                "status": run.status,
                "kind": run.kind,
                "scenario": run.scenario_id,
                "scenario_hash": run.scenario_hash,
                "seed": run.seed,
                "params": run.params,
                "step": run.step,
                "done_steps": run.done_steps,
                "total_steps": run.total_steps,
                "error": run.error,
                "realpolitik_version": run.realpolitik_version,
            }
        )

    @app.get("/runs/{rid}/results.json")
    def run_json(rid: int, db: Session = Depends(_session)) -> Response:
        run = _finished(db, rid)
        text = json.dumps(_record(run), indent=2, ensure_ascii=False) + "\n"
        return _attachment(text, f"{_safe(run.scenario_id)}-run{run.id}.json", "application/json")

    @app.get("/runs/{rid}/results.csv")
    def run_csv(rid: int, db: Session = Depends(_session)) -> Response:
        run = _finished(db, rid)
        return _attachment(_csv(run), f"{_safe(run.scenario_id)}-run{run.id}.csv", "text/csv")

    @app.get("/runs/{rid}/report.html")
    def run_report(rid: int, db: Session = Depends(_session)) -> Response:
        from realpolitik.report.render import render_page

        run = _finished(db, rid)
        v = unpack(run.view)
        rv = _run_view(run)
        card = rv.card or replace(views.load(v)[0], headlines=(), agreements=(), issues=())
        html = render_page(card, rv.sections, title=v["title"], subtitle=v["subtitle"])
        return _attachment(html, f"{_safe(run.scenario_id)}-run{run.id}-report.html", "text/html")

    @app.get("/runs/{rid}/scenario.yaml")
    def run_scenario_yaml(rid: int, db: Session = Depends(_session)) -> Response:
        run = _run(db, rid)
        return _attachment(run.scenario_content, scenario_file(run.scenario_id, run.id), "application/yaml")

    def _finished(db: Session, rid: int) -> RunRow:
        run = _run(db, rid)
        if run.status != DONE:
            raise HTTPException(409, f"run {rid} is {run.status}: it has no results")
        return run

    # -------------------------------------------------------------------------------- compare
    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, db: Session = Depends(_session)) -> HTMLResponse:
        a, b = _int(request.query_params.get("a")), _int(request.query_params.get("b"))
        done = db.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(100)).all()
        rows = db.scalars(select(ScenarioRow).order_by(ScenarioRow.updated_at.desc())).all()
        da, dbb = cmp.default_runs(done)
        page: dict[str, Any] = {
            "runs": done,
            "rows": rows,
            "builtins": [{"id": x, "title": t} for x, t in scenarios.builtin_titles()],
            "pair": SUGGESTED_PAIR,
            "default": {"a": da, "b": dbb},
        }
        if a is None or b is None:
            return _render(request, "compare.html", a=None, b=None, c=None, active=False, **page)
        ra, rb = _run(db, a), _run(db, b)
        active = ra.status in ACTIVE or rb.status in ACTIVE
        c = cmp.compare_runs(
            ra,
            rb,
            unpack(ra.results) if ra.status == DONE else None,
            unpack(rb.results) if rb.status == DONE else None,
        )
        return _render(request, "compare.html", a=ra, b=rb, c=c, active=active, **page)

    @app.get("/compare/scenarios", response_class=HTMLResponse)
    def compare_scenarios(request: Request, db: Session = Depends(_session)) -> HTMLResponse:
        a, b = _int(request.query_params.get("a")), _int(request.query_params.get("b"))
        if a is None or b is None:
            return _redirect("/compare")  # type: ignore[return-value]
        sa, sb = _scenario(db, a), _scenario(db, b)
        c = cmp.Comparison(inputs=cmp.input_diff(sa.content, sb.content))
        la = _latest(db, sa.id)
        lb = _latest(db, sb.id)
        if la is not None and lb is not None:
            cmp.compare_results(unpack(la.results), unpack(lb.results), c)
        return _render(
            request, "compare_scenarios.html", sa=sa, sb=sb, c=c, la=la, lb=lb, models=model_names()
        )

    def _latest(db: Session, sid: int) -> RunRow | None:
        row = db.get(ScenarioRow, sid)
        if row is None:
            return None
        return db.scalars(
            select(RunRow)
            .where(RunRow.scenario_row == sid, RunRow.status == DONE, RunRow.scenario_version == row.version)
            .order_by(RunRow.id.desc())
            .limit(1)
        ).first()

    @app.post("/compare/scenarios/open")
    def compare_open(form: FormData = Depends(_form), db: Session = Depends(_session)) -> Response:
        """Two scenarios to compare; a built-in (``builtin:ID``) opens as a copy (an unchanged copy is reused)."""
        ids = []
        for side in ("a", "b"):
            v = _str(form, side) or ""
            if v.startswith("builtin:"):
                b = v.removeprefix("builtin:")
                if b not in builtin_ids():
                    raise HTTPException(400, f"there is no built-in scenario {b!r}")
                origin = f"copy of built-in {b}"
                text = scenarios.builtin_text(b)
                row = db.scalars(
                    select(ScenarioRow)
                    .where(ScenarioRow.origin == origin, ScenarioRow.version == 1)
                    .order_by(ScenarioRow.id.desc())
                ).first()
                if row is None or row.content != text:
                    row = new_scenario(db, text, origin)
                ids.append(row.id)
            else:
                n = _int(v)
                if n is None:
                    raise HTTPException(400, "choose two scenarios")
                ids.append(_scenario(db, n).id)
        return _redirect(f"/compare/scenarios?a={ids[0]}&b={ids[1]}")

    @app.post("/compare/scenarios/run")
    def compare_run(form: FormData = Depends(_form), db: Session = Depends(_session)) -> Response:
        a, b = _int(_str(form, "a")), _int(_str(form, "b"))
        if a is None or b is None:
            raise HTTPException(400, "choose two scenarios")
        kind, params, seed = _run_params(form)
        ra = create_run(st, db, _scenario(db, a), kind, params, seed)
        rb = create_run(st, db, _scenario(db, b), kind, params, seed)
        return _redirect(f"/compare?a={ra.id}&b={rb.id}")


def _run_view(run: RunRow) -> views.RunView:
    """A finished run's card and sections: only the parts it computed (``views.for_run``)."""
    card, sections = views.load(unpack(run.view))
    return views.for_run(card, sections, KINDS.get(run.kind, views.ALL_PARTS))


# ------------------------------------------------------------------------------------------ downloads
_safe = safe_name


def _attachment(text: str, filename: str, media: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type=f"{media}; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _record(run: RunRow) -> dict[str, Any]:
    """A run as one JSON record: what ran (hash, version, seed, parameters) and its results."""
    return {
        "run": run.id,
        "scenario": run.scenario_id,
        "scenario_title": run.scenario_title,
        "scenario_hash": run.scenario_hash,
        "realpolitik_version": run.realpolitik_version,
        "kind": run.kind,
        "seed": run.seed,
        "params": run.params,
        "status": run.status,
        "created_at": run.created_at.isoformat() + "Z",
        "finished_at": run.finished_at.isoformat() + "Z" if run.finished_at else None,
        "results": unpack(run.results),
    }


def _csv(run: RunRow) -> str:
    """The results as a long table: part, model, item (issue or agreement), measure, value."""
    res = unpack(run.results) or {}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["run", "part", "model", "item", "measure", "value"])
    for f in res.get("forecasts") or []:
        m = f.get("model")
        for iid, v in (f.get("outcome") or {}).items():
            w.writerow([run.id, "forecast", m, iid, "outcome", v])
            w.writerow([run.id, "forecast", m, iid, "pressure", (f.get("pressure") or {}).get(iid, v)])
            w.writerow([run.id, "forecast", m, iid, "rule", (f.get("rules") or {}).get(iid, "")])
        for ag in f.get("agreements") or []:
            w.writerow([run.id, "agreement", m, ag.get("id"), "status", ag.get("status")])
    d = res.get("deals")
    if d:
        w.writerow([run.id, "deals", "", "parties", "feasible", d.get("feasible")])
        w.writerow([run.id, "deals", "", "parties", "acceptable_packages", d.get("n_feasible")])
        w.writerow([run.id, "deals", "", "parties", "packages", d.get("n_packages")])
    mc = res.get("montecarlo")
    if mc:
        m = mc.get("model")
        for iid, s in (mc.get("issues") or {}).items():
            for q, v in (s.get("quantiles") or {}).items():
                w.writerow([run.id, "montecarlo", m, iid, f"q{q}", v])
            w.writerow([run.id, "montecarlo", m, iid, "mean", s.get("mean")])
        for gid, p in (mc.get("agreement_probability") or {}).items():
            w.writerow([run.id, "montecarlo", m, gid, "agreement_probability", p])
    sw = res.get("sweep")
    if sw:
        w.writerow([run.id, "sweep", sw.get("model", ""), "", "points", len(sw.get("points") or [])])
    return out.getvalue()


__all__ = ["MAX_BODY", "Settings", "create_app", "display_url"]
