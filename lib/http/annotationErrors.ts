import { AnnotationError } from '@/lib/annotations/service';
import { HttpError } from './errors';

/** Maps the annotation domain's errors onto HTTP ones (same status, message and details). */
export async function asHttp<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AnnotationError) throw new HttpError(error.status, error.message, error.details);
    throw error;
  }
}
