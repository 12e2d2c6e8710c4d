-- from: src/authentication/password.rs:26
SELECT user_id, password_hash
FROM users
WHERE username = $1;

-- from: src/authentication/password.rs:101
UPDATE users
SET password_hash = $1
WHERE user_id = $2;

-- from: src/idempotency/persistence.rs:21
SELECT
    response_status_code as "response_status_code!",
    response_headers as "response_headers!: Vec<HeaderPairRecord>",
    response_body as "response_body!"
FROM idempotency
WHERE
  user_id = $1 AND
  idempotency_key = $2;

-- from: src/idempotency/persistence.rs:105
INSERT INTO idempotency (
    user_id,
    idempotency_key,
    created_at
)
VALUES ($1, $2, now())
ON CONFLICT DO NOTHING;

-- from: src/issue_delivery_worker.rs:93
SELECT newsletter_issue_id, subscriber_email
FROM issue_delivery_queue
FOR UPDATE
SKIP LOCKED
LIMIT 1;

-- from: src/issue_delivery_worker.rs:121
DELETE FROM issue_delivery_queue
WHERE
    newsletter_issue_id = $1 AND
    subscriber_email = $2;

-- from: src/issue_delivery_worker.rs:145
SELECT title, text_content, html_content
FROM newsletter_issues
WHERE
    newsletter_issue_id = $1;

-- from: src/routes/admin/dashboard.rs:47
SELECT username
FROM users
WHERE user_id = $1;

-- from: src/routes/admin/newsletter/post.rs:78
INSERT INTO newsletter_issues (
    newsletter_issue_id,
    title,
    text_content,
    html_content,
    published_at
)
VALUES ($1, $2, $3, $4, now());

-- from: src/routes/admin/newsletter/post.rs:103
INSERT INTO issue_delivery_queue (
    newsletter_issue_id,
    subscriber_email
)
SELECT $1, email
FROM subscriptions
WHERE status = 'confirmed';

-- from: src/routes/subscriptions.rs:138
INSERT INTO subscriptions (id, email, name, subscribed_at, status)
VALUES ($1, $2, $3, $4, 'pending_confirmation');

-- from: src/routes/subscriptions.rs:161
INSERT INTO subscription_tokens (subscription_token, subscriber_id)
VALUES ($1, $2);

-- from: src/routes/subscriptions_confirm.rs:53
UPDATE subscriptions SET status = 'confirmed' WHERE id = $1;

-- from: src/routes/subscriptions_confirm.rs:67
SELECT subscriber_id FROM subscription_tokens WHERE subscription_token = $1;

-- from: tests/api/helpers.rs:292
INSERT INTO users (user_id, username, password_hash)
VALUES ($1, $2, $3);

-- from: tests/api/subscriptions.rs:34
SELECT email, name, status FROM subscriptions;

-- from: tests/api/subscriptions.rs:50
ALTER TABLE subscriptions DROP COLUMN email;
