-- One database per component: each service (and the gateway) owns its data.
-- The postgres image runs this only when it initialises an empty data volume.
CREATE DATABASE reporting;
CREATE DATABASE dispatch;
CREATE DATABASE mediation;
CREATE DATABASE scoring;
CREATE DATABASE gateway;
