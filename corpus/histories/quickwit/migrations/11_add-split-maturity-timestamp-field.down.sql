ALTER TABLE splits
  DROP COLUMN maturity_timestamp;
