-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ANNOTATOR', 'REVIEWER', 'ADMIN');

-- CreateEnum
CREATE TYPE "LesionClass" AS ENUM ('GGO', 'C');

-- CreateEnum
CREATE TYPE "AnnotationSource" AS ENUM ('HUMAN', 'MODEL', 'IMPORTED');

-- CreateEnum
CREATE TYPE "AnnotationStatus" AS ENUM ('DRAFT', 'SUBMITTED', 'ACCEPTED', 'REJECTED');

-- CreateEnum
CREATE TYPE "SliceStatus" AS ENUM ('UNLABELLED', 'IN_PROGRESS', 'SUBMITTED', 'ACCEPTED');

-- CreateEnum
CREATE TYPE "PixelKind" AS ENUM ('HU', 'WINDOWED');

-- CreateEnum
CREATE TYPE "RevisionAction" AS ENUM ('CREATE', 'UPDATE', 'DELETE', 'STATUS');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ReviewAction" AS ENUM ('ACCEPT', 'REJECT');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'ANNOTATOR',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Study" (
    "id" TEXT NOT NULL,
    "scanKey" TEXT NOT NULL,
    "patientId" TEXT,
    "source" TEXT NOT NULL,
    "modality" TEXT NOT NULL DEFAULT 'CT',
    "format" TEXT NOT NULL,
    "importMeta" JSONB,
    "importedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Study_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Slice" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "pixelPath" TEXT NOT NULL,
    "pixelKind" "PixelKind" NOT NULL,
    "windowWidth" DOUBLE PRECISION NOT NULL,
    "windowLevel" DOUBLE PRECISION NOT NULL,
    "contentHash" TEXT NOT NULL,
    "sourceFile" TEXT NOT NULL,
    "status" "SliceStatus" NOT NULL DEFAULT 'UNLABELLED',
    "version" INTEGER NOT NULL DEFAULT 0,
    "submittedById" TEXT,
    "submittedAt" TIMESTAMP(3),
    "editingMs" INTEGER NOT NULL DEFAULT 0,
    "proposalVersionId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Slice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SliceLabel" (
    "id" TEXT NOT NULL,
    "sliceId" TEXT NOT NULL,
    "className" TEXT NOT NULL,
    "unsure" BOOLEAN NOT NULL DEFAULT false,
    "sliceVersion" INTEGER NOT NULL DEFAULT 0,
    "source" "AnnotationSource" NOT NULL DEFAULT 'HUMAN',
    "authorId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SliceLabel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Annotation" (
    "id" TEXT NOT NULL,
    "sliceId" TEXT NOT NULL,
    "lesionClass" "LesionClass" NOT NULL,
    "points" JSONB NOT NULL,
    "holes" JSONB NOT NULL,
    "source" "AnnotationSource" NOT NULL,
    "status" "AnnotationStatus" NOT NULL DEFAULT 'DRAFT',
    "score" DOUBLE PRECISION,
    "modelVersionId" TEXT,
    "authorId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Annotation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnnotationRevision" (
    "id" TEXT NOT NULL,
    "annotationId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "sliceVersion" INTEGER NOT NULL DEFAULT 0,
    "action" "RevisionAction" NOT NULL,
    "snapshot" JSONB NOT NULL,
    "authorId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnnotationRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SliceLease" (
    "sliceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SliceLease_pkey" PRIMARY KEY ("sliceId")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "config" JSONB NOT NULL,
    "progress" JSONB,
    "lossHistory" JSONB,
    "log" TEXT NOT NULL DEFAULT '',
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 3,
    "modelKind" TEXT,
    "exclusiveKey" TEXT,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "runAfter" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT,
    "resultVersionId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "metrics" JSONB NOT NULL,
    "gateMetric" DOUBLE PRECISION NOT NULL,
    "trainingSummary" JSONB NOT NULL,
    "labelledSlices" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "parentId" TEXT,
    "jobId" TEXT,
    "promotedAt" TIMESTAMP(3),
    "promotedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Prediction" (
    "id" TEXT NOT NULL,
    "sliceId" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "classProbs" JSONB,
    "uncertainty" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Prediction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ReviewEvent" (
    "id" TEXT NOT NULL,
    "sliceId" TEXT NOT NULL,
    "reviewerId" TEXT,
    "action" "ReviewAction" NOT NULL,
    "comment" TEXT,
    "version" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CorrectionEffort" (
    "sliceId" TEXT NOT NULL,
    "modelVersionId" TEXT,
    "perClass" JSONB NOT NULL,
    "editingMs" INTEGER NOT NULL,
    "annotatorId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CorrectionEffort_pkey" PRIMARY KEY ("sliceId")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Study_source_scanKey_key" ON "Study"("source", "scanKey");

-- CreateIndex
CREATE INDEX "Slice_contentHash_idx" ON "Slice"("contentHash");

-- CreateIndex
CREATE INDEX "Slice_status_idx" ON "Slice"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Slice_studyId_index_key" ON "Slice"("studyId", "index");

-- CreateIndex
CREATE INDEX "SliceLabel_sliceId_createdAt_idx" ON "SliceLabel"("sliceId", "createdAt");

-- CreateIndex
CREATE INDEX "Annotation_sliceId_idx" ON "Annotation"("sliceId");

-- CreateIndex
CREATE UNIQUE INDEX "AnnotationRevision_annotationId_version_key" ON "AnnotationRevision"("annotationId", "version");

-- CreateIndex
CREATE INDEX "SliceLease_userId_idx" ON "SliceLease"("userId");

-- CreateIndex
CREATE INDEX "SliceLease_expiresAt_idx" ON "SliceLease"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Job_exclusiveKey_key" ON "Job"("exclusiveKey");

-- CreateIndex
CREATE INDEX "Job_status_runAfter_idx" ON "Job"("status", "runAfter");

-- CreateIndex
CREATE INDEX "Job_modelKind_status_idx" ON "Job"("modelKind", "status");

-- CreateIndex
CREATE INDEX "ModelVersion_kind_active_idx" ON "ModelVersion"("kind", "active");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_kind_number_key" ON "ModelVersion"("kind", "number");

-- CreateIndex
CREATE INDEX "Prediction_modelVersionId_idx" ON "Prediction"("modelVersionId");

-- CreateIndex
CREATE UNIQUE INDEX "Prediction_sliceId_modelVersionId_key" ON "Prediction"("sliceId", "modelVersionId");

-- CreateIndex
CREATE INDEX "ReviewEvent_sliceId_createdAt_idx" ON "ReviewEvent"("sliceId", "createdAt");

-- CreateIndex
CREATE INDEX "CorrectionEffort_modelVersionId_idx" ON "CorrectionEffort"("modelVersionId");

-- CreateIndex
CREATE INDEX "CorrectionEffort_annotatorId_idx" ON "CorrectionEffort"("annotatorId");

-- AddForeignKey
ALTER TABLE "Study" ADD CONSTRAINT "Study_importedById_fkey" FOREIGN KEY ("importedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Slice" ADD CONSTRAINT "Slice_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Slice" ADD CONSTRAINT "Slice_submittedById_fkey" FOREIGN KEY ("submittedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SliceLabel" ADD CONSTRAINT "SliceLabel_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SliceLabel" ADD CONSTRAINT "SliceLabel_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnnotationRevision" ADD CONSTRAINT "AnnotationRevision_annotationId_fkey" FOREIGN KEY ("annotationId") REFERENCES "Annotation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnnotationRevision" ADD CONSTRAINT "AnnotationRevision_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SliceLease" ADD CONSTRAINT "SliceLease_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SliceLease" ADD CONSTRAINT "SliceLease_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewEvent" ADD CONSTRAINT "ReviewEvent_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewEvent" ADD CONSTRAINT "ReviewEvent_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CorrectionEffort" ADD CONSTRAINT "CorrectionEffort_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice"("id") ON DELETE CASCADE ON UPDATE CASCADE;
