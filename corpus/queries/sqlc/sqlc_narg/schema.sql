CREATE TABLE foo (bar text not null, maybe_bar text);

