"""Demo data for `make run`: departments, people in every role, categories and a few claims. Idempotent."""

import datetime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from approvals.transitions import ClaimStatus
from core.models import CompanySettings
from expenses.inputs import ClaimInput, LineInput
from expenses.models import Claim, ExpenseCategory, Project
from expenses.services.claims import check_create_claim, check_submit_claim
from people.models import BankAccount, Department, User
from people.roles import Role

DEMO_PASSWORD = "seisan-demo"  # noqa: S105 - printed demo login, documented in the README

PEOPLE = [
    # username, employee code, name, kana, department code, manager username, roles, staff/superuser
    ("admin", "A0001", "管理 太郎", "カンリ タロウ", "HQ", None, [Role.ADMIN, Role.EMPLOYEE], True),
    ("suzuki", "E1001", "鈴木 一郎", "スズキ イチロウ", "SALES", None, [Role.APPROVER, Role.EMPLOYEE], False),
    ("sato", "E1002", "佐藤 花子", "サトウ ハナコ", "SALES1", "suzuki", [Role.APPROVER, Role.EMPLOYEE], False),
    ("yamada", "E1003", "山田 太郎", "ヤマダ タロウ", "SALES1", "sato", [Role.EMPLOYEE], False),
    ("tanaka", "E2001", "田中 美咲", "タナカ ミサキ", "ACCT", None, [Role.ACCOUNTING, Role.EMPLOYEE], False),
]


class Command(BaseCommand):
    help = "Create demo departments, users (one per role), and sample claims. Safe to run repeatedly."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        CompanySettings.load()
        hq, _ = Department.objects.get_or_create(code="HQ", defaults={"name": "本社"})
        sales, _ = Department.objects.get_or_create(code="SALES", defaults={"name": "営業部", "parent": hq})
        sales1, _ = Department.objects.get_or_create(code="SALES1", defaults={"name": "営業1課", "parent": sales})
        acct, _ = Department.objects.get_or_create(code="ACCT", defaults={"name": "経理部", "parent": hq})
        departments = {"HQ": hq, "SALES": sales, "SALES1": sales1, "ACCT": acct}
        users: dict[str, User] = {}
        for username, code, name, kana, dept, _manager, roles, superuser in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"employee_code": code, "name": name, "name_kana": kana, "department": departments[dept],
                          "email": f"{username}@example.com", "is_staff": superuser, "is_superuser": superuser},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
            users[username] = user
        for username, *_rest, manager, _roles, _superuser in PEOPLE:
            if manager and users[username].manager_id is None:
                users[username].manager = users[manager]
                users[username].save(update_fields=["manager"])
        for dept_code, head in (("SALES", "suzuki"), ("SALES1", "sato"), ("ACCT", "tanaka"), ("HQ", "admin")):
            Department.objects.filter(code=dept_code, head__isnull=True).update(head=users[head])
        for number, (username, *_rest) in enumerate(PEOPLE, start=1):
            if not BankAccount.objects.filter(user=users[username]).exists():
                account = BankAccount(user=users[username], bank_code="0009", branch_code="001",
                                      account_number=f"{1234560 + number:07d}", holder_kana=users[username].name_kana)
                account.full_clean()
                account.save()
        self._seed_company()
        self._seed_routes()
        Project.objects.get_or_create(code="PJ-001", defaults={"name": "新規顧客開拓"})
        Project.objects.get_or_create(code="CC-SALES", defaults={"name": "営業部 共通"})
        self._seed_claims(users["yamada"])
        from approvals.services import do_start_route  # demo claims submitted before routes existed get one

        for claim in Claim.objects.filter(status=ClaimStatus.SUBMITTED, approval_steps__isnull=True):
            do_start_route(claim, acting_user=claim.applicant)
        self._print_logins()

    def _seed_company(self) -> None:
        """A demo 振込元 so the 全銀 page works out of the box; admins replace it under 会社設定."""
        company = CompanySettings.load()
        if not company.zengin_requester_code:
            company.zengin_requester_code = "1234567890"
            company.zengin_requester_name = "ｶ)ｻﾝﾌﾟﾙ"
            company.bank_code, company.branch_code, company.bank_account_number = "0001", "001", "7654321"
            company.save()

    def _seed_routes(self) -> None:
        from expenses.transit_models import RouteMaster

        for origin, destination, ic_fare, ticket_fare in (("新宿", "品川", 208, 210), ("東京", "横浜", 483, 490),
                                                          ("渋谷", "品川", 178, 180), ("品川", "新横浜", 2_440, 2_440)):
            if not RouteMaster.objects.filter(from_station=origin, to_station=destination).exists():
                RouteMaster(from_station=origin, to_station=destination, fare_ic=ic_fare,
                            fare_ticket=ticket_fare).save()

    def _seed_claims(self, employee: User) -> None:
        if Claim.objects.filter(applicant=employee).exists():
            return
        cat = {c.code: c.pk for c in ExpenseCategory.objects.all()}
        today = timezone.localdate()
        day = today - datetime.timedelta(days=3)
        submitted = check_create_claim(acting_user=employee, data=ClaimInput(
            title="10月 客先訪問交通費", purpose="A社・B社への訪問",
            lines=[
                LineInput(expense_date=day, category_id=cat["TRANSIT"], amount=1320, vendor="JR東日本",
                          description="新宿→品川 往復"),
                LineInput(expense_date=day, category_id=cat["TAXI"], amount=2860, vendor="日本交通",
                          registration_number="T7010705000725", description="品川駅→A社",
                          no_receipt_reason="領収書紛失（配車アプリの乗車記録あり）"),
            ]))
        check_submit_claim(submitted.pk, acting_user=employee)
        check_create_claim(acting_user=employee, data=ClaimInput(
            title="打合せ・消耗品", purpose="",
            lines=[
                LineInput(expense_date=today, category_id=cat["MEETING"], amount=8640, vendor="喫茶ルノアール",
                          registration_number="T4011001098993", description="B社と打合せ", attendee_count=4,
                          attendee_names="B社 高橋様、B社 伊藤様、山田、佐藤", includes_external=True),
                LineInput(expense_date=today, category_id=cat["SUPPLIES"], amount=1078, vendor="文具のヤマト",
                          tax_category="standard", description="プレゼン用クリアファイル",
                          no_receipt_reason=""),
            ]))
        assert Claim.objects.filter(applicant=employee, status=ClaimStatus.SUBMITTED).exists()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username, code, name, _kana, _dept, _mgr, roles, _su in PEOPLE:
            self.stdout.write(f"  {username:<8} {code}  {name}  ({', '.join(r.value for r in roles)})")
