DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE login_links;
DROP TABLE users;
