import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n.ts';
import './styles/base.css';
import { faceOf, useLocation } from './router.ts';
import { Loading } from './shared/Loading.tsx';

/** Each face is its own chunk: the citizen and field apps never load the cockpit's map and charts. */
const faces = {
  cockpit: lazy(() => import('./cockpit/CockpitApp.tsx')),
  citizen: lazy(() => import('./citizen/CitizenApp.tsx')),
  field: lazy(() => import('./field/FieldApp.tsx')),
};

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 30_000, retry: (count, error) => count < 2 && !('status' in error) },
  },
});

function Root() {
  const { pathname } = useLocation();
  const Face = faces[faceOf(pathname)];
  return (
    <Suspense fallback={<Loading />}>
      <Face />
    </Suspense>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Root />
    </QueryClientProvider>
  </StrictMode>,
);
