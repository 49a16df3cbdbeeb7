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
