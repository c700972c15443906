import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/domain/errors.js';
import { refuseErasedSubjects } from '../../../src/modules/notification/subjects.js';
import { makeTenant } from '../../support/factories.js';
import { useTestApp } from '../../support/test-app.js';

describe('records for a subject erased meanwhile', () => {
  const t = useTestApp();

  it('are refused as a conflict once the subject is erased, and pass while it is not', async () => {
    const { controller } = await makeTenant(t.database.prisma);
    const [kept, erased] = await Promise.all(
      ['kept', 'erased'].map((ref) =>
        t.database.prisma.subject.create({ data: { controllerId: controller.id, refHash: `hash-${ref}` } }),
      ),
    );
    await t.database.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT set_config('notarium.erasure', 'on', true)`;
      await tx.subject.update({
        where: { id: erased!.id },
        data: { refHash: 'erased:x', erasedAt: new Date() },
      });
    });
    await expect(
      t.database.prisma.$transaction((tx) => refuseErasedSubjects(tx, [kept!.id])),
    ).resolves.toBeUndefined();
    await expect(
      t.database.prisma.$transaction((tx) => refuseErasedSubjects(tx, [kept!.id, erased!.id])),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});
