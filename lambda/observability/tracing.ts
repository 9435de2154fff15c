/**
 * Optional X-Ray tracing. Off by default (and locally): the Powertools Tracer
 * and the X-Ray SDK are then never loaded, so they cost nothing at cold start.
 */
export interface Tracing {
  span<T>(name: string, work: () => Promise<T>, annotations?: Record<string, string | number | boolean>): Promise<T>;
}

export const noTracing: Tracing = { span: (_name, work) => work() };

export async function createTracing(enabled: boolean, serviceName: string): Promise<Tracing> {
  if (!enabled) return noTracing;
  const { Tracer } = await import('@aws-lambda-powertools/tracer');
  const tracer = new Tracer({ serviceName, enabled: true, captureHTTPsRequests: false });
  return {
    async span(name, work, annotations = {}) {
      const parent = tracer.getSegment();
      if (!parent) return work();
      const segment = parent.addNewSubsegment(name);
      tracer.setSegment(segment);
      for (const [key, value] of Object.entries(annotations)) tracer.putAnnotation(key, value);
      try {
        return await work();
      } catch (error) {
        segment.addError(error as Error);
        throw error;
      } finally {
        segment.close();
        tracer.setSegment(parent);
      }
    },
  };
}
