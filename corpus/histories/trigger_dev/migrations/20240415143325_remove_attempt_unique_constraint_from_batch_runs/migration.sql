-- DropIndex
DROP INDEX "BatchTaskRun_dependentTaskAttemptId_key";
