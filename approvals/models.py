"""Approval records: policies (admin master), the per-claim route snapshot, delegations, corrections.

ClaimEvent is the append-only audit trail of every claim change. ApprovalStep rows are the route snapshot
taken at submission: later edits to policies, managers or department heads never rewrite them.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from approvals.transitions import ClaimStatus


class ClaimEvent(models.Model):
    """Who did what to a claim, when, from which state. Never updated or deleted (a PG trigger enforces it)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("作成")
        EDITED = "edited", _("編集")
        STATUS = "status", _("状態変更")

    claim = models.ForeignKey("expenses.Claim", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(_("変更前"), max_length=12, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(_("変更後"), max_length=12, choices=ClaimStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("実行者"), on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代理元"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("コメント"), blank=True)
    diff = models.JSONField(_("変更内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("申請履歴")
        verbose_name_plural = _("申請履歴")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind} {self.from_status}→{self.to_status}"


class ApproverKind(models.TextChoices):
    MANAGER = "manager", _("直属の上長")
    DEPARTMENT_HEAD = "department_head", _("部門長")
    DIRECTOR = "director", _("上位部門長（本部長）")
    NAMED_USER = "named_user", _("指定ユーザー")
    GROUP = "group", _("グループ（メンバーの誰か）")


class ReturnPolicy(models.TextChoices):
    RESTART = "restart", _("最初から承認し直す")
    RESUME = "resume", _("差し戻したステップから再開する")


class ApprovalPolicy(models.Model):
    """承認ルート: an ordered list of conditional rules. The first active policy matching the claim wins."""

    name = models.CharField(_("ルート名"), max_length=100)
    department = models.ForeignKey(
        "people.Department",
        verbose_name=_("対象部門"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空欄なら全部門に適用します。"),
    )
    priority = models.PositiveIntegerField(_("優先順位"), default=100, help_text=_("小さいほど優先されます。"))
    is_active = models.BooleanField(_("有効"), default=True)
    return_policy = models.CharField(
        _("差戻し後の再提出"), max_length=10, choices=ReturnPolicy.choices, default=ReturnPolicy.RESTART
    )
    reminder_after_business_days = models.PositiveSmallIntegerField(_("督促までの営業日数"), default=3)
    reminder_interval_business_days = models.PositiveSmallIntegerField(_("督促の間隔（営業日）"), default=2)
    escalate_after = models.PositiveSmallIntegerField(_("上長へエスカレーションする督促回数"), default=2)

    class Meta:
        verbose_name = _("承認ルート")
        verbose_name_plural = _("承認ルート")
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(reminder_interval_business_days__gte=1), name="policy_interval_gte_1"),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalRule(models.Model):
    """One step of a policy and the conditions under which it applies (all / any of the filled ones)."""

    class Match(models.TextChoices):
        ALL = "all", _("すべての条件に該当")
        ANY = "any", _("いずれかの条件に該当")

    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="rules", verbose_name=_("承認ルート"))
    order = models.PositiveSmallIntegerField(_("順番"))
    name = models.CharField(_("ステップ名"), max_length=50)
    approver_kind = models.CharField(_("承認者の決め方"), max_length=20, choices=ApproverKind.choices)
    approver_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("指定ユーザー"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    approver_group = models.ForeignKey(
        "auth.Group", verbose_name=_("グループ"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_accounting_check = models.BooleanField(_("経理確認"), default=False)
    match = models.CharField(_("条件の組み合わせ"), max_length=3, choices=Match.choices, default=Match.ALL)
    min_amount = models.BigIntegerField(_("合計金額（円以上）"), null=True, blank=True)
    max_amount = models.BigIntegerField(_("合計金額（円以下）"), null=True, blank=True)
    category = models.ForeignKey(
        "expenses.ExpenseCategory", verbose_name=_("経費科目を含む"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    department = models.ForeignKey(
        "people.Department", verbose_name=_("申請部門"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "expenses.Project", verbose_name=_("プロジェクト・コストセンターを含む"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("承認ステップ定義")
        verbose_name_plural = _("承認ステップ定義")
        ordering = ["policy_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver_kind="named_user") | Q(approver_user__isnull=False), name="rule_named_user_set"
            ),
            models.CheckConstraint(
                condition=~Q(approver_kind="group") | Q(approver_group__isnull=False), name="rule_group_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("待機")
    PENDING = "pending", _("承認待ち")
    APPROVED = "approved", _("承認")
    RETURNED = "returned", _("差戻し")
    REJECTED = "rejected", _("否認")
    SKIPPED = "skipped", _("スキップ")
    CANCELLED = "cancelled", _("取消")


OPEN_STEP_STATUSES = (StepStatus.WAITING, StepStatus.PENDING)


class ApprovalStep(models.Model):
    """A step of one claim's route, snapshotted at submission. A resubmission or a return to an earlier
    step starts a new `round`; earlier rounds stay as history."""

    claim = models.ForeignKey("expenses.Claim", on_delete=models.CASCADE, related_name="approval_steps",
                              verbose_name=_("精算書"))
    round = models.PositiveSmallIntegerField(_("回"), default=1)
    order = models.PositiveSmallIntegerField(_("順番"))
    name = models.CharField(_("ステップ名"), max_length=50)
    approver_kind = models.CharField(_("承認者の決め方"), max_length=20, choices=ApproverKind.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("承認者"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="approval_steps",
    )
    approver_group = models.ForeignKey(
        "auth.Group", verbose_name=_("承認グループ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    is_accounting_check = models.BooleanField(_("経理確認"), default=False)
    status = models.CharField(_("状態"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING)
    note = models.CharField(_("補足"), max_length=200, blank=True)
    activated_at = models.DateTimeField(_("承認待ち開始"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("処理者"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    acted_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代理元"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("処理日時"), null=True, blank=True)
    comment = models.TextField(_("コメント"), blank=True)
    # Policy settings copied at submission, so a master edit does not change running approvals.
    return_policy = models.CharField(_("差戻し後の再提出"), max_length=10, choices=ReturnPolicy.choices,
                                     default=ReturnPolicy.RESTART)
    reminder_after_business_days = models.PositiveSmallIntegerField(_("督促までの営業日数"), default=3)
    reminder_interval_business_days = models.PositiveSmallIntegerField(_("督促の間隔（営業日）"), default=2)
    escalate_after = models.PositiveSmallIntegerField(_("エスカレーションまでの督促回数"), default=2)
    last_reminded_at = models.DateTimeField(_("最終督促日時"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("督促回数"), default=0)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("エスカレーション先"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="escalated_steps",
    )

    class Meta:
        verbose_name = _("承認ステップ")
        verbose_name_plural = _("承認ステップ")
        ordering = ["claim_id", "round", "order", "id"]
        indexes = [
            models.Index(fields=["approver", "status"], name="step_approver_status"),
            models.Index(fields=["approver_group", "status"], name="step_group_status"),
            models.Index(fields=["status", "activated_at"], name="step_status_activated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["claim", "round", "order"], name="step_unique_order"),
            models.CheckConstraint(
                condition=Q(approver__isnull=False) | Q(approver_group__isnull=False) | Q(status="skipped"),
                name="step_has_approver",
            ),
            # Only one step of a claim may wait for a decision at a time.
            models.UniqueConstraint(fields=["claim"], condition=Q(status="pending"), name="step_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} #{self.round}.{self.order} {self.name} ({self.status})"

    @property
    def approver_label(self) -> str:
        if self.approver_id:
            return self.approver.display_name
        if self.approver_group_id:
            group = _("経理担当") if self.is_accounting_check else self.approver_group.name
            return str(_("%(group)s（いずれか1名）") % {"group": group})
        return "—"


class Delegation(models.Model):
    """代理承認: during [valid_from, valid_to] the delegate sees and acts on the approver's steps."""

    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承認者"), on_delete=models.CASCADE,
                                 related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代理者"), on_delete=models.CASCADE,
                                 related_name="delegations_received")
    valid_from = models.DateField(_("開始日"))
    valid_to = models.DateField(_("終了日"))
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("代理承認")
        verbose_name_plural = _("代理承認")
        ordering = ["-valid_from", "id"]
        indexes = [models.Index(fields=["delegate", "valid_from", "valid_to"], name="delegation_active")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="delegation_valid_range"),
            models.CheckConstraint(condition=~Q(approver=F("delegate")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} → {self.approver} ({self.valid_from}〜{self.valid_to})"


class LineCorrection(models.Model):
    """An approver's correction of a line (amount down, category). Append-only; the line keeps the original."""

    class Field(models.TextChoices):
        AMOUNT = "amount", _("金額")
        CATEGORY = "category", _("経費科目")

    line = models.ForeignKey("expenses.ClaimLine", on_delete=models.CASCADE, related_name="corrections",
                             verbose_name=_("明細"))
    step = models.ForeignKey(ApprovalStep, on_delete=models.PROTECT, related_name="corrections",
                             verbose_name=_("承認ステップ"))
    field = models.CharField(_("項目"), max_length=10, choices=Field.choices)
    from_value = models.CharField(_("変更前"), max_length=100)
    to_value = models.CharField(_("変更後"), max_length=100)
    from_label = models.CharField(_("変更前（表示）"), max_length=100)
    to_label = models.CharField(_("変更後（表示）"), max_length=100)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修正者"), on_delete=models.PROTECT,
                                     related_name="+")
    corrected_for = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代理元"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("理由"))
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("承認者による修正")
        verbose_name_plural = _("承認者による修正")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.line_id} {self.field}: {self.from_label} → {self.to_label}"


class ApprovalNotification(models.Model):
    """One row per e-mail sent, keyed so a retried or duplicated task never sends the same mail twice."""

    key = models.CharField(max_length=100, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("送信済み通知")
        verbose_name_plural = _("送信済み通知")

    def __str__(self) -> str:
        return self.key
