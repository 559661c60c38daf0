-- One database per component: each service, the gateway and the web console own their data.
-- The postgres image runs this only when it initialises an empty data volume.
CREATE DATABASE reporting;
CREATE DATABASE dispatch;
CREATE DATABASE mediation;
CREATE DATABASE scoring;
CREATE DATABASE gateway;
CREATE DATABASE web;
