-- DropIndex
DROP INDEX "TaskRunDependency_dependentAttemptId_key";
