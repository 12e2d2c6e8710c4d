ALTER TABLE users ALTER COLUMN gh_encrypted_token SET NOT NULL;
