"""Writes on people data."""

from django.db import transaction

from people.models import BankAccount


@transaction.atomic
def do_save_bank_account(account: BankAccount, *, acting_user) -> BankAccount:
    """Validates against the zengin master (BankAccount.clean) and saves; the form already ran full_clean."""
    account.user = acting_user if account.user_id is None else account.user
    account.full_clean()
    account.save()
    return account
