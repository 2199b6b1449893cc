"""Route resolution on plain objects (no database): conditions, approver kinds, going up the chain."""

from types import SimpleNamespace as NS

from approvals.models import StepStatus
from approvals.routing import build_steps, rule_applies


def person(pk, name, manager=None, department=None):
    return NS(pk=pk, username=name, manager=manager, department=department, department_id=getattr(department, "pk", None),
              is_active=True)


def rule(order, name, kind, **kw):
    fields = {"pk": order, "min_amount": None, "max_amount": None, "category_id": None, "department_id": None,
              "project_id": None, "match": "all", "approver_user": None, "approver_group": None,
              "is_accounting_check": False}
    fields.update(kw)
    return NS(order=order, name=name, approver_kind=kind, **fields)


DEFAULT_RULES = [
    rule(10, "上長承認", "manager"),
    rule(20, "部門長承認", "department_head", match="any", min_amount=50_000, category_id=8),
    rule(30, "本部長承認", "director", min_amount=300_000),
    rule(90, "経理確認", "group", approver_group=NS(pk=1, name="accounting"), is_accounting_check=True),
]


def org():
    """HQ (head ceo) › SALES (head suzuki) › SALES1 (head sato); yamada → sato → suzuki → ceo."""
    ceo = person(1, "ceo")
    suzuki = person(2, "suzuki", manager=ceo)
    sato = person(3, "sato", manager=suzuki)
    hq = NS(pk=10, head=ceo, parent=None)
    sales = NS(pk=11, head=suzuki, parent=hq)
    sales1 = NS(pk=12, head=sato, parent=sales)
    yamada = person(4, "yamada", manager=sato, department=sales1)
    return {"ceo": ceo, "suzuki": suzuki, "sato": sato, "yamada": yamada, "hq": hq, "sales": sales, "sales1": sales1}


def claim_of(applicant, department):
    return NS(applicant=applicant, department=department, department_id=department.pk)


def lines(*amounts, category_id=1, project_id=None):
    return [NS(amount=a, category_id=category_id, project_id=project_id) for a in amounts]


def names(specs):
    return [(s.name, s.approver.username if s.approver else (s.approver_group.name if s.approver_group else None),
             s.status) for s in specs]


def test_small_claim_goes_to_the_manager_then_accounting() -> None:
    o = org()
    specs = build_steps(claim_of(o["yamada"], o["sales1"]), lines(3_000), None, DEFAULT_RULES)
    assert names(specs) == [("上長承認", "sato", "waiting"), ("経理確認", "accounting", "waiting")]
    assert [s.order for s in specs] == [1, 2]


def test_it_gives_the_head_step_to_the_next_head_when_the_manager_is_also_the_head() -> None:
    """sato is yamada's manager and head of 営業1課: the head step goes up to suzuki (営業部)."""
    o = org()
    specs = build_steps(claim_of(o["yamada"], o["sales1"]), lines(50_000), None, DEFAULT_RULES)
    assert names(specs) == [("上長承認", "sato", "waiting"), ("部門長承認", "suzuki", "waiting"),
                            ("経理確認", "accounting", "waiting")]
    assert specs[1].note  # the route explains why


def test_entertainment_always_needs_the_department_head() -> None:
    o = org()
    specs = build_steps(claim_of(o["yamada"], o["sales1"]), lines(8_000, category_id=8), None, DEFAULT_RULES)
    assert [s.name for s in specs] == ["上長承認", "部門長承認", "経理確認"]


def test_300k_adds_a_director_above_the_used_heads() -> None:
    o = org()
    specs = build_steps(claim_of(o["yamada"], o["sales1"]), lines(200_000, 100_000), None, DEFAULT_RULES)
    assert names(specs)[:3] == [("上長承認", "sato", "waiting"), ("部門長承認", "suzuki", "waiting"),
                                ("本部長承認", "ceo", "waiting")]


def test_it_rejects_self_approval_by_going_up_the_chain() -> None:
    """The department head files a claim: manager step goes to her manager, never to herself."""
    o = org()
    specs = build_steps(claim_of(o["sato"], o["sales1"]), lines(60_000), None, DEFAULT_RULES)
    assert names(specs)[:2] == [("上長承認", "suzuki", "waiting"), ("部門長承認", "ceo", "waiting")]
    assert all(s.approver is None or s.approver.pk != o["sato"].pk for s in specs)


def test_a_step_nobody_can_take_is_skipped_with_a_note() -> None:
    o = org()
    specs = build_steps(claim_of(o["ceo"], o["hq"]), lines(60_000), None, DEFAULT_RULES)
    assert names(specs) == [("上長承認", None, StepStatus.SKIPPED), ("部門長承認", None, StepStatus.SKIPPED),
                            ("経理確認", "accounting", "waiting")]
    assert specs[0].note


def test_named_user_and_conditions_on_department_and_project() -> None:
    o = org()
    auditor = person(9, "auditor")
    rules = [rule(10, "PJ責任者", "named_user", approver_user=auditor, project_id=77),
             rule(20, "営業部確認", "named_user", approver_user=o["suzuki"], department_id=999)]
    claim = claim_of(o["yamada"], o["sales1"])
    assert names(build_steps(claim, lines(1_000, project_id=77), None, rules)) == [("PJ責任者", "auditor", "waiting")]
    assert build_steps(claim, lines(1_000), None, rules) == []


def test_rule_applies_all_vs_any() -> None:
    both = rule(1, "x", "manager", min_amount=10_000, category_id=8)
    kwargs = {"project_ids": set(), "department_id": 1}
    assert not rule_applies(both, total=20_000, category_ids={1}, **kwargs)
    assert rule_applies(both, total=20_000, category_ids={8}, **kwargs)
    either = rule(1, "x", "manager", min_amount=10_000, category_id=8, match="any")
    assert rule_applies(either, total=500, category_ids={8}, **kwargs)
    assert not rule_applies(either, total=500, category_ids={1}, **kwargs)
    assert rule_applies(rule(1, "x", "manager", max_amount=100), total=100, category_ids=set(), **kwargs)
    assert not rule_applies(rule(1, "x", "manager", max_amount=100), total=101, category_ids=set(), **kwargs)
