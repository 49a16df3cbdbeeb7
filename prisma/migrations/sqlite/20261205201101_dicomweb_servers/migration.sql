-- CreateTable
CREATE TABLE "DicomWebServer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "authType" TEXT NOT NULL DEFAULT 'none',
    "credentials" TEXT,
    "timeoutS" INTEGER NOT NULL DEFAULT 60,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "DicomWebServer_name_key" ON "DicomWebServer"("name");
