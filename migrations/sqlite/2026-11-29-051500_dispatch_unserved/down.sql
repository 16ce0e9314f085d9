DROP INDEX unserved_requests_date;
DROP TABLE unserved_requests;
