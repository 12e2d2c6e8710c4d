CREATE TABLE demo (txt text not null);

