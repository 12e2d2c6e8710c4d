-- The transfer example's accounts: exact amounts, never below zero.
CREATE TABLE IF NOT EXISTS transfer_accounts (
    id bigint PRIMARY KEY,
    balance numeric(14, 2) NOT NULL CHECK (balance >= 0)
);
