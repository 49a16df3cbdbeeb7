-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN "label" TEXT;
ALTER TABLE "ModelVersion" ADD COLUMN "proposalThresholds" JSONB;
ALTER TABLE "ModelVersion" ADD COLUMN "thresholdOverrides" JSONB;
