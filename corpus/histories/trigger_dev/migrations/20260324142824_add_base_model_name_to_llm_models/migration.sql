-- AlterTable
ALTER TABLE "public"."llm_models" ADD COLUMN     "base_model_name" TEXT;
