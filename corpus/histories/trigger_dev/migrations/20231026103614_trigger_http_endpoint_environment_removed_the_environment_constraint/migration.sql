-- DropIndex
DROP INDEX "TriggerHttpEndpointEnvironment_environmentId_httpEndpointId_key";
