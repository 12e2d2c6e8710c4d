CREATE TABLE crates_keywords (
            crate_id         INTEGER NOT NULL,
            keyword_id       INTEGER NOT NULL
        );