-- CreateTable
CREATE TABLE "ControllerSigningKey" (
    "keyId" TEXT NOT NULL,
    "controllerId" UUID NOT NULL,
    "algorithm" TEXT NOT NULL DEFAULT 'Ed25519',
    "publicKey" TEXT NOT NULL,
    "privateKey" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMPTZ(3),

    CONSTRAINT "ControllerSigningKey_pkey" PRIMARY KEY ("keyId")
);

-- CreateIndex
CREATE INDEX "ControllerSigningKey_controllerId_createdAt_idx" ON "ControllerSigningKey"("controllerId", "createdAt");

-- AddForeignKey
ALTER TABLE "ControllerSigningKey" ADD CONSTRAINT "ControllerSigningKey_controllerId_fkey" FOREIGN KEY ("controllerId") REFERENCES "Controller"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
