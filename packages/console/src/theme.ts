import { createTheme } from '@mui/material/styles';

// The product's look: contained upper-case buttons, dense tables, system fonts (nothing to download).
export const theme = createTheme({
  // Filled alerts and chips keep white text at 4.5:1 contrast or better (WCAG AA).
  palette: { primary: { main: '#1f4e8c' }, secondary: { main: '#6b3fa0' }, warning: { main: '#b45309' }, info: { main: '#01579b' }, success: { main: '#1b5e20' }, error: { main: '#b71c1c' } },
  typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
  components: {
    MuiButton: { defaultProps: { disableElevation: true } },
    MuiTableCell: { styleOverrides: { head: { fontWeight: 600 } } },
  },
});
