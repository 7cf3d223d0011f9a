"""The directory CSV header, for tests that write their own directory files."""

HEADER = "institution_id,name,region,kind,zoom_account_id,zoom_group,email_domains,contacts\n"
