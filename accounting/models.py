"""Accounting models (journal entries, exports, payments) arrive with the accounting issue."""
