"""Every new claim and stance is made through claims.annotating, where anchoring, the duplicate
rule, ownership, versions and history are checked; only the whole-source machinery named below
writes them directly. The source of every module of the `claims` package is read (with `ast`)
for the ways a row is made: `Claim(...)`, `Stance(...)`, `Claim.objects.create(...)`,
`bulk_create`, `get_or_create`, `update_or_create`, a related manager's `create`
(`source.claims.create(...)`) and the importers' generic `upsert(Claim, ...)`."""

import ast
from pathlib import Path

import pytest

import claims

PACKAGE = Path(claims.__file__).parent
MODELS = {"Claim", "Stance"}
CREATORS = {"create", "bulk_create", "get_or_create", "update_or_create"}
# Related managers that make rows of a model: source.claims, claim.stances.
RELATED = {"claims": "Claim", "stances": "Stance"}
# Generic writers handed a model to make rows of.
GENERIC = {"upsert"}

# Modules that may make claims or stances directly, and why. Anything else goes through
# claims.annotating.
ALLOWED: dict[str, tuple[set[str], str]] = {
    "claims.annotating": (MODELS, "the services themselves"),
    "claims.revisions": (MODELS, "publishing a working copy, merging a whole source"),
    "claims.editing": (MODELS, "re-anchoring every claim when a source's text changes"),
    "claims.backup_load": (MODELS, "restoring a backup row for row"),
    "claims.adjudicating": (
        {"Stance"},
        "a recorded adjudication's edit keeps the stances the reader's, in the decider's name",
    ),
}


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _names(tree: ast.AST) -> dict[str, str]:
    """Local names bound to the models: their own names, and any alias they are imported as."""
    names = {model: model for model in MODELS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in MODELS:
                    names[alias.asname or alias.name] = alias.name
    return names


def _model_of(expr: ast.expr, names: dict[str, str]) -> str | None:
    """The model an expression names, or whose rows a chain of calls on it reaches."""
    while isinstance(expr, ast.Attribute | ast.Call):
        if isinstance(expr, ast.Call):
            expr = expr.func
            continue
        if expr.attr in MODELS:
            return expr.attr
        if expr.attr in RELATED:
            return RELATED[expr.attr]
        expr = expr.value
    return names.get(expr.id) if isinstance(expr, ast.Name) else None


def _made_by(call: ast.Call, names: dict[str, str]) -> tuple[str, str] | None:
    """(model, what) when `call` makes a claim or stance directly."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in GENERIC:
        first = call.args[0] if call.args else None
        model = names.get(first.id) if isinstance(first, ast.Name) else None
        return (model, f"{func.id}({model}, …)") if model else None
    if isinstance(func, ast.Attribute) and func.attr in CREATORS:
        model = _model_of(func.value, names)
        return (model, f"….{func.attr}()") if model else None
    # The class itself called: Claim(...), models.Stance(...).
    if isinstance(func, ast.Name) and func.id in names:
        return names[func.id], f"{func.id}(…)"
    if isinstance(func, ast.Attribute) and func.attr in MODELS:
        return func.attr, f"{func.attr}(…)"
    return None


def direct_writes(source: str) -> list[tuple[int, str, str]]:
    """(line, model, what) for every claim or stance `source` makes without the services."""
    tree = ast.parse(source)
    names = _names(tree)
    return [
        (node.lineno, *made)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and (made := _made_by(node, names))
    ]


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield module_of(path), path


def allowed(module: str, model: str) -> bool:
    if module.startswith("claims.migrations"):
        return True  # the schema's history: data migrations write as they did then
    return model in ALLOWED.get(module, (set(), ""))[0]


def test_only_the_services_and_whole_source_machinery_make_claims_and_stances():
    offending = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what} makes a {model}"
        for module, path in modules()
        for line, model, what in direct_writes(path.read_text("utf-8"))
        if not allowed(module, model)
    ]
    assert not offending, (
        "Claims and stances are made through claims.annotating (create_claim, add_stance, …):\n"
        + "\n".join(offending)
    )


def test_the_allowed_modules_exist():
    known = {module for module, _ in modules()}
    assert set(ALLOWED) <= known


def test_the_services_are_seen_making_claims_and_stances():
    # The check reads what it should: the services' own constructions are found.
    found = {model for _, model, _ in direct_writes((PACKAGE / "annotating.py").read_text())}
    assert found == MODELS


@pytest.mark.parametrize(
    ("code", "model"),
    [
        ("from claims.models import Claim\nClaim(source=s, start=0, end=1)", "Claim"),
        ("from claims.models import Stance as S\nS(label='supports')", "Stance"),
        ("from claims import models\nmodels.Stance(label='supports')", "Stance"),
        ("Claim.objects.create(source=s)", "Claim"),
        ("Stance.objects.using('default').get_or_create(claim=c)", "Stance"),
        ("Stance.objects.update_or_create(claim=c, defaults={})", "Stance"),
        ("Claim._default_manager.bulk_create(rows)", "Claim"),
        ("source.claims.create(start=0, end=1)", "Claim"),
        ("claim.stances.create(label='mixed')", "Stance"),
        ("upsert(Stance, lookup, values, report, 'Stances')", "Stance"),
    ],
)
def test_each_way_of_making_a_row_is_seen(code, model):
    assert [found for _, found, _ in direct_writes(code)] == [model]


@pytest.mark.parametrize(
    "code",
    [
        "Claim.objects.filter(source=s).first()",
        "Proposition.objects.create(slug='p')",
        "annotating.create_claim(source=s, start=0, end=1, by=u)",
        "Claim.history.filter(id=1)",
        "isinstance(row, Claim)",
        "deletion_of(Claim, 1)",
    ],
)
def test_reading_rows_or_calling_the_services_is_not_a_direct_write(code):
    assert direct_writes(code) == []
