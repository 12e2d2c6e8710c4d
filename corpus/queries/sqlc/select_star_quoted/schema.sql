CREATE TABLE users (
    "CamelCase" varchar(255)
);
