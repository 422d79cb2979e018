import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { Alert, Snackbar } from '@mui/material';

interface Toast {
  id: number;
  message: string;
  severity: 'success' | 'error' | 'info';
}
const Ctx = createContext<(message: string, severity?: Toast['severity']) => void>(() => {});

/** Toasts for completed actions ("Client "ci" deleted."). */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toast, setToast] = useState<Toast | null>(null);
  const show = useCallback(
    (message: string, severity: Toast['severity'] = 'success') => setToast({ id: Date.now(), message, severity }),
    [],
  );
  return (
    <Ctx.Provider value={show}>
      {children}
      <Snackbar
        key={toast?.id}
        open={toast !== null}
        autoHideDuration={5000}
        onClose={(_, reason) => reason !== 'clickaway' && setToast(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
      >
        {toast ? (
          <Alert severity={toast.severity} variant="filled" onClose={() => setToast(null)} role="status">
            {toast.message}
          </Alert>
        ) : undefined}
      </Snackbar>
    </Ctx.Provider>
  );
}

export const useToast = () => useContext(Ctx);
