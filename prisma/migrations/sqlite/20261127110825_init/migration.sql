-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'ANNOTATOR',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Study" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scanKey" TEXT NOT NULL,
    "patientId" TEXT,
    "source" TEXT NOT NULL,
    "modality" TEXT NOT NULL DEFAULT 'CT',
    "format" TEXT NOT NULL,
    "importMeta" JSONB,
    "importedById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Study_importedById_fkey" FOREIGN KEY ("importedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Slice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "studyId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "pixelPath" TEXT NOT NULL,
    "pixelKind" TEXT NOT NULL,
    "windowWidth" REAL NOT NULL,
    "windowLevel" REAL NOT NULL,
    "contentHash" TEXT NOT NULL,
    "sourceFile" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'UNLABELLED',
    "version" INTEGER NOT NULL DEFAULT 0,
    "submittedById" TEXT,
    "submittedAt" DATETIME,
    "editingMs" INTEGER NOT NULL DEFAULT 0,
    "proposalVersionId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Slice_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Slice_submittedById_fkey" FOREIGN KEY ("submittedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SliceLabel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sliceId" TEXT NOT NULL,
    "className" TEXT NOT NULL,
    "unsure" BOOLEAN NOT NULL DEFAULT false,
    "sliceVersion" INTEGER NOT NULL DEFAULT 0,
    "source" TEXT NOT NULL DEFAULT 'HUMAN',
    "authorId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SliceLabel_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SliceLabel_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Annotation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sliceId" TEXT NOT NULL,
    "lesionClass" TEXT NOT NULL,
    "points" JSONB NOT NULL,
    "holes" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "score" REAL,
    "modelVersionId" TEXT,
    "authorId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deletedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Annotation_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Annotation_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnnotationRevision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "annotationId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "sliceVersion" INTEGER NOT NULL DEFAULT 0,
    "action" TEXT NOT NULL,
    "snapshot" JSONB NOT NULL,
    "authorId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AnnotationRevision_annotationId_fkey" FOREIGN KEY ("annotationId") REFERENCES "Annotation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AnnotationRevision_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SliceLease" (
    "sliceId" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SliceLease_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SliceLease_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
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
    "leaseExpiresAt" DATETIME,
    "heartbeatAt" DATETIME,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "runAfter" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT,
    "resultVersionId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Job_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "metrics" JSONB NOT NULL,
    "gateMetric" REAL NOT NULL,
    "trainingSummary" JSONB NOT NULL,
    "labelledSlices" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "parentId" TEXT,
    "jobId" TEXT,
    "promotedAt" DATETIME,
    "promotedById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Prediction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sliceId" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "classProbs" JSONB,
    "uncertainty" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Prediction_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Prediction_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" JSONB NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReviewEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sliceId" TEXT NOT NULL,
    "reviewerId" TEXT,
    "action" TEXT NOT NULL,
    "comment" TEXT,
    "version" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReviewEvent_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReviewEvent_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CorrectionEffort" (
    "sliceId" TEXT NOT NULL PRIMARY KEY,
    "modelVersionId" TEXT,
    "perClass" JSONB NOT NULL,
    "editingMs" INTEGER NOT NULL,
    "annotatorId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CorrectionEffort_sliceId_fkey" FOREIGN KEY ("sliceId") REFERENCES "Slice" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
