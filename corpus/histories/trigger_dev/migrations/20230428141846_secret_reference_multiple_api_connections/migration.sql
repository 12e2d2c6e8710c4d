-- DropIndex
DROP INDEX "ApiConnection_dataReferenceId_key";
